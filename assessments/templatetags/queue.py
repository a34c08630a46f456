from django import template

register = template.Library()


@register.filter
def age(moment, now) -> str:
    """How long ago, in one unit a reviewer reads at a glance: 40 min, 5 h, 3 d, 6 wk."""
    seconds = max((now - moment).total_seconds(), 0)
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    if seconds < 86400 * 28:
        return f"{int(seconds // 86400)} d"
    return f"{int(seconds // (86400 * 7))} wk"
