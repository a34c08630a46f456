"""A stand-in for the ClinicalTrials.gov API v2 on loopback: real records, served page by page.

It answers GET /api/v2/studies with {"studies": [...], "nextPageToken": ...} exactly as the public API
pages do, and can be told to fail some requests (to test retries and resuming).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class StudiesApi:
    def __init__(self):
        self.studies: list[dict] = []
        self.requests: list[dict] = []
        # Requests to fail, by page number: {2: [503]} fails the first request for page 2 with 503.
        self.failures: dict[int, list[int]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v2/studies"

    def start(self) -> "StudiesApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, studies: list[dict]) -> None:
        self.studies, self.requests, self.failures = studies, [], {}

    def _page(self, query: dict) -> tuple[int, dict | None]:
        size = int(query.get("pageSize", ["10"])[0])
        token = query.get("pageToken", [""])[0]
        page = int(token.removeprefix("page-")) if token else 1
        failures = self.failures.get(page)
        if failures:
            return failures.pop(0), None
        start = (page - 1) * size
        body = {"studies": self.studies[start : start + size]}
        if start + size < len(self.studies):
            body["nextPageToken"] = f"page-{page + 1}"
        if query.get("countTotal") == ["true"] and page == 1:
            body["totalCount"] = len(self.studies)
        return 200, body

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                api.requests.append(query)
                if parts.path != "/api/v2/studies":
                    self.send_error(404)
                    return
                status, body = api._page(query)
                if body is None:
                    self.send_error(status)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass  # quiet test output

        return Handler
