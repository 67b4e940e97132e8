def check_references(report, smap):
    return []
