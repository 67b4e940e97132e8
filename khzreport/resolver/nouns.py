"""English nouns for Chinese counting units (量词), so that 164家 reads "164 zones", not "164".

A Chinese count carries its noun in the counter: 家 counts firms and institutions, 项 projects
and awards, 名 and 人 people. English needs the noun itself. An indicator may name it
(``unit_en``); when it does not, :func:`counting_noun` finds it:

1. the head noun of the English label (``National high-tech zones`` → ``zones``), when it is
   a plural the counter can count (any plural for the general counters 个, 颗, 座, 期);
2. a noun the Chinese label names (国家高新区数量 → ``zones``, 高新技术企业 → ``firms``),
   the last one in the label, since a Chinese noun phrase ends with its head;
3. the counter's own usual noun (家 → ``firms``, 名 → ``people``, 项 → ``items``), when it
   has one.

When none fits (个 with a label that names nothing countable), the caller prints the bare
number and warns with the indicator's place, asking for ``unit_en``. The module stands alone
(standard library only), like :mod:`.numbers`.
"""

from __future__ import annotations

import re

__all__ = ["COUNTER_NOUNS", "counting_noun", "singular"]

_FACTORS = "万亿千百"

COUNTER_NOUNS: dict[str, tuple[str | None, frozenset[str] | None]] = {
    "家": (
        "firms",
        frozenset(
            {
                "firms",
                "companies",
                "enterprises",
                "businesses",
                "smes",
                "startups",
                "start-ups",
                "unicorns",
                "gazelles",
                "giants",
                "manufacturers",
                "suppliers",
                "zones",
                "parks",
                "clusters",
                "institutions",
                "institutes",
                "centres",
                "centers",
                "laboratories",
                "labs",
                "platforms",
                "workstations",
                "incubators",
                "accelerators",
                "universities",
                "colleges",
                "schools",
                "hospitals",
                "banks",
                "funds",
                "hotels",
                "stores",
                "shops",
                "factories",
                "plants",
                "organisations",
                "organizations",
                "agencies",
                "members",
                "partners",
                "tenants",
                "carriers",
                "branches",
                "headquarters",
                "offices",
                "entities",
                "units",
                "hubs",
            }
        ),
    ),
    "项": (
        "items",
        frozenset(
            {
                "projects",
                "items",
                "patents",
                "awards",
                "prizes",
                "achievements",
                "records",
                "standards",
                "technologies",
                "programmes",
                "programs",
                "plans",
                "policies",
                "measures",
                "agreements",
                "contracts",
                "grants",
                "results",
                "tasks",
                "reforms",
                "innovations",
                "inventions",
                "products",
                "services",
                "honours",
                "honors",
            }
        ),
    ),
    "件": (
        "items",
        frozenset(
            {
                "patents",
                "applications",
                "trademarks",
                "cases",
                "items",
                "documents",
                "proposals",
                "complaints",
                "inventions",
                "products",
                "copyrights",
                "designs",
            }
        ),
    ),
    "名": ("people", None),
    "人": ("people", None),
    "人次": ("person-times", frozenset({"visits", "visitors", "attendances", "trips"})),
    "次": ("times", None),
    "台": (
        "units",
        frozenset({"units", "machines", "sets", "robots", "vehicles", "devices", "servers"}),
    ),
    "户": ("households", frozenset({"households", "firms", "businesses", "families", "homes"})),
    "所": (
        "institutions",
        frozenset({"institutions", "schools", "universities", "colleges", "hospitals"}),
    ),
    "栋": ("buildings", frozenset({"buildings", "blocks", "towers"})),
    "个": (None, None),
    "颗": (
        None,
        frozenset({"chips", "modules", "satellites", "seeds", "pearls", "stones", "beads"}),
    ),
    "座": (None, None),
    "期": (None, None),
}
"""Each counter's usual English noun (or None) and the nouns of a label it accepts (None:
any plural noun, for the general counters and for 名/人, which always count people)."""

_PEOPLE_NOUNS = frozenset({"people", "staff", "personnel", "talent", "workforce"})

_CHINESE_NOUNS: tuple[tuple[str, str], ...] = (
    ("高新区", "zones"),
    ("开发区", "zones"),
    ("园区", "parks"),
    ("产业园", "parks"),
    ("企业", "firms"),
    ("公司", "firms"),
    ("机构", "institutions"),
    ("平台", "platforms"),
    ("实验室", "laboratories"),
    ("工作站", "workstations"),
    ("中心", "centres"),
    ("孵化器", "incubators"),
    ("高校", "universities"),
    ("大学", "universities"),
    ("医院", "hospitals"),
    ("学校", "schools"),
    ("项目", "projects"),
    ("专利", "patents"),
    ("商标", "trademarks"),
    ("奖项", "awards"),
    ("标准", "standards"),
    ("人才", "talents"),
    ("团队", "teams"),
    ("专家", "experts"),
    ("院士", "academicians"),
    ("博士", "doctorates"),
    ("员工", "employees"),
    ("学生", "students"),
    ("游客", "visitors"),
    ("户", "households"),
    ("楼宇", "buildings"),
)
"""Chinese nouns of a label and their English plurals, longest match first at one place."""

_STOP = re.compile(
    r"\s(?:of|in|at|by|for|from|with|under|among|on|to|per|across|within|since|during|"
    r"as|that|which|who)\b|[,;:(]",
    re.IGNORECASE,
)
_PARTICIPLES = frozenset(
    {
        "won",
        "led",
        "co-led",
        "set",
        "held",
        "built",
        "made",
        "run",
        "given",
        "taken",
        "grown",
        "done",
        "hit",
        "paid",
        "brought",
        "drawn",
        "shown",
        "seen",
        "kept",
    }
)
_IRREGULAR_SINGULAR = {
    "people": "person",
    "person-times": "person-time",
    "staff": "staff",
    "personnel": "personnel",
    "headquarters": "headquarters",
    "series": "series",
    "times": "time",
}


def _base(unit: str) -> str:
    base = unit
    while base[:1] in _FACTORS and len(base) > 1:
        base = base[1:]
    return base


def _head_noun(label: str) -> str | None:
    """Return the head noun of an English noun phrase: the last word before its modifiers.

    ``Science and technology projects registered in the zone`` → ``projects``: the phrase is
    cut at its first preposition or punctuation, trailing participles (registered, fostered)
    are dropped, and the last word remains.
    """
    phrase = _STOP.split(f" {label.strip()}", maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][A-Za-z&'-]*", phrase)
    while len(words) > 1 and (re.fullmatch(r"[a-z-]+ed", words[-1]) or words[-1] in _PARTICIPLES):
        words.pop()
    return words[-1] if words else None


def _is_plural(word: str) -> bool:
    lower = word.lower()
    if lower in _PEOPLE_NOUNS or lower in _IRREGULAR_SINGULAR:
        return True
    return len(lower) > 2 and lower.endswith("s") and not lower.endswith(("ss", "us", "is"))


def _noun_case(word: str) -> str:
    """Lower-case a label's word unless it is an acronym (SMEs, R&D)."""
    return word if sum(c.isupper() for c in word) > 1 else word.lower()


def counting_noun(unit: str, label_en: str | None, label: str = "") -> str | None:
    """Return the English plural noun a count in ``unit`` counts, or None when none fits.

    ``unit`` is a Chinese counting unit (家, 万人, 项 …); ``label_en`` and ``label`` are the
    indicator's English and Chinese labels. See the module docstring for the order of choice.
    A unit that is not a counter gives None.
    """
    base = _base(unit)
    if base not in COUNTER_NOUNS:
        return None
    usual, accepted = COUNTER_NOUNS[base]
    if label_en:
        head = _head_noun(label_en)
        if head and _is_plural(head) and (accepted is None or head.lower() in accepted):
            return _noun_case(head)
    found = [(label.rfind(zh), en) for zh, en in _CHINESE_NOUNS if zh in label]
    if found:
        noun = max(found, key=lambda hit: hit[0])[1]
        if accepted is None or noun in accepted:
            return noun
    return usual


def singular(noun: str) -> str:
    """Return the singular of an English plural noun, for a count of exactly one.

    ``firms`` → ``firm``, ``laboratories`` → ``laboratory``, ``people`` → ``person``,
    ``SMEs`` → ``SME``, ``branches`` → ``branch``. A phrase (``patents per 10,000 people``)
    is returned as it is: only single nouns are found by :func:`counting_noun`.
    """
    if " " in noun:
        return noun
    lower = noun.lower()
    if lower in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return noun[:-3] + "y"
    if lower.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if lower.endswith("s") and not lower.endswith("ss"):
        return noun[:-1]
    return noun
