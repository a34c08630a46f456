"""PDFs from HTML templates, with WeasyPrint. Nothing is fetched from the network: the only files a
template may use are our own static files, read from disk."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _static_only(url: str, timeout=10, ssl_context=None):
    from weasyprint import default_url_fetcher

    if url.startswith("static:"):
        path = finders.find(url.removeprefix("static:"))
        if path:
            return default_url_fetcher(f"file://{path}")
    raise ValueError(f"PDFs may only use our own static files, not {url}")


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_static_only, base_url="static:").write_pdf()
