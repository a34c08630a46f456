from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_EMAIL": settings.ORGANISATION_EMAIL,
        "ORGANISATION_PHONE": settings.ORGANISATION_PHONE,
    }
