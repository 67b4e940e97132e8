"""Imported first by the fork server of :mod:`khzreport.poolserver`, and by nothing else: it
has the kernel end the server when the command that started it ends.

Without it the server outlived the command: by a tenth of a second as its interpreter wound
down after the batch (holding the command's output streams, so a pipe or a script capturing
them waited too), and by half a second after a command that failed before its first sheet,
while it went on importing the renderers nobody would use. The server forks the workers, so
it may run no thread of its own: the kernel's parent-death signal does the watching.
"""

from __future__ import annotations

from .resources import killed_with_parent

killed_with_parent()
