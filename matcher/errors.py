"""Domain exceptions; the web layer translates them to HTTP answers."""


class DomainError(Exception):
    """Base of every error a user can be told about in plain words."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class ValidationError(DomainError):
    pass
