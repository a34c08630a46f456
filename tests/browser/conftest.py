import pytest


@pytest.fixture
def browser_context(browser, live_server):
    """A browser context to prepare (cookies) before opening pages. It lets scripts injected by the
    tests run (axe-core) despite the pages' Content-Security-Policy, which stays on for people."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context
    context.close()
