"""Errors the services raise; `main` turns each into `{"detail": ...}` with its status code."""

from __future__ import annotations


class APIError(Exception):
    status_code = 400
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if headers is not None:
            self.headers = headers


class BadRequest(APIError):
    status_code = 400


class Unauthorized(APIError):
    status_code = 401
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(APIError):
    status_code = 403


class NotFound(APIError):
    status_code = 404


class Conflict(APIError):
    status_code = 409


class QuotaExceeded(APIError):
    """A tenant quota would be exceeded; the message names the quota."""

    status_code = 409


class TooManyRequests(APIError):
    status_code = 429


class Unavailable(APIError):
    status_code = 503


class BadGateway(APIError):
    """The node answered, but not as expected (for example it refused CONFIG SET)."""

    status_code = 502


class GatewayTimeout(APIError):
    status_code = 504
