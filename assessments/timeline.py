"""The case page's timeline: the audit trail of one case, with repeated views folded into one line.

A family may open their case page a dozen times a day; the audit trail keeps every one of those
events, but the timeline shows views of the same kind by the same person within an hour as one line
with a count. Nothing is removed from the trail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from assessments.models import AuditEvent

Action = AuditEvent.Action
VIEWS = {Action.FAMILY_VIEWED, Action.FAMILY_VIEWED_REPORT, Action.VIEWED_DOCUMENT}
WINDOW = timedelta(hours=1)


@dataclass
class Entry:
    event: AuditEvent  # the first of the group
    count: int = 1
    last_at: datetime | None = None


def timeline(events) -> list[Entry]:
    """Events oldest first, with views grouped: a view joins the open group of the same kind and
    person when it comes within an hour of that group's first view."""
    entries: list[Entry] = []
    open_groups: dict[tuple, Entry] = {}
    for event in events:
        if event.action not in VIEWS:
            entries.append(Entry(event))
            continue
        key = (event.action, event.actor_id, event.actor_label)
        group = open_groups.get(key)
        if group and event.at - group.event.at < WINDOW:
            group.count += 1
            group.last_at = event.at
            continue
        open_groups[key] = Entry(event)
        entries.append(open_groups[key])
    return entries
