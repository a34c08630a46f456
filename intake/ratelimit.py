from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac

from intake.models import RateLimitHit


def over_limit(bucket: str, key: str, *, limit: int, window: timedelta) -> bool:
    """Record one attempt at `bucket` by `key`; True when there were already `limit` in the window.

    Keys (addresses, emails, link ids) are stored only as keyed hashes."""
    digest = salted_hmac("intake.ratelimit", f"{bucket}:{key}").hexdigest()
    now = timezone.now()
    recent = RateLimitHit.objects.filter(bucket=bucket, key=digest, at__gte=now - window).count()
    if recent >= limit:
        return True
    RateLimitHit.objects.create(bucket=bucket, key=digest, at=now)
    return False


def forget_old_hits(older_than: timedelta = timedelta(days=1)) -> int:
    count, _ = RateLimitHit.objects.filter(at__lt=timezone.now() - older_than).delete()
    return count
