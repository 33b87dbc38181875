"""Domain errors. Services raise these; the HTTP and CLI layers translate them.

They carry no HTTP knowledge beyond a suggested status, so the CLI can use them too.
"""


class DomainError(Exception):
    status = 400
    reason = "bad_request"

    def __init__(self, message: str, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(DomainError):
    status = 404
    reason = "not_found"


class Unauthenticated(DomainError):
    status = 401
    reason = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    reason = "forbidden"


class Conflict(DomainError):
    """The action no longer applies: the task is not open, the instance is not running."""

    status = 409
    reason = "conflict"


class InvalidInput(DomainError):
    """Input failed validation; ``errors`` maps field names to messages."""

    status = 422
    reason = "invalid_input"


class BundleInvalid(DomainError):
    """A process bundle was refused; ``errors`` is a list of {file, line, message}."""

    status = 422
    reason = "invalid_bundle"


class TooManyRequests(DomainError):
    status = 429
    reason = "too_many_requests"


class Busy(DomainError):
    """The platform could not finish an action under contention; safe to retry."""

    status = 503
    reason = "busy"
