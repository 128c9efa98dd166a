"""The only write path for posts and what people do with them.

- :mod:`posts.actions.publishing`: publish, edit, delete (and the checks they share);
- :mod:`posts.actions.interactions`: like, reshare, bookmark, pin and their undoing.

Callers import from here (``from posts import actions; actions.publish(...)``).
"""

from posts.actions.interactions import (
    bookmark,
    like,
    pin,
    reshare,
    unbookmark,
    unlike,
    unpin,
    unreshare,
)
from posts.actions.publishing import (
    MAX_IMAGES,
    MAX_PINS,
    UNCHANGED,
    Unchanged,
    Written,
    check_publishable,
    delete,
    delete_keeping_media,
    edit,
    publish,
    written,
)

__all__ = [
    "MAX_IMAGES",
    "MAX_PINS",
    "UNCHANGED",
    "Unchanged",
    "Written",
    "bookmark",
    "check_publishable",
    "delete",
    "delete_keeping_media",
    "edit",
    "like",
    "pin",
    "publish",
    "reshare",
    "unbookmark",
    "unlike",
    "unpin",
    "unreshare",
    "written",
]
