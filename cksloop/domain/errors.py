"""Domain errors: why an action on a garment cannot happen, with what is allowed instead."""
from __future__ import annotations

from typing import Any

from .messages import N_


class DomainError(Exception):
    """Base of every refusal the rules can give.

    ``message`` is an untranslated template with ``%(name)s`` placeholders filled from ``params``;
    ``code`` is the stable machine word the API returns as ``error``.
    """

    code = "domain_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, **params: Any):
        self.message = message
        self.params = params
        self.details = details or {}
        super().__init__(self.render())

    def render(self) -> str:
        """The English text (tests, logs, the CLI)."""
        return self.message % self.params if self.params else self.message


class InvalidDetails(DomainError):
    """The action's details are missing or wrong; ``field_errors`` maps field → message template."""

    code = "invalid_details"

    def __init__(self, field_errors: dict[str, str], **params: Any):
        self.field_errors = field_errors
        super().__init__(
            N_("Some details are missing or wrong."),
            details={"fields": field_errors},
            **params,
        )


class IllegalTransition(DomainError):
    """The garment's current state does not allow the action."""

    code = "not_allowed_now"

    def __init__(self, *, action: str, state: str | None, allowed: list[str]):
        self.action = action
        self.state = state
        self.allowed = allowed
        super().__init__(
            N_("“%(action)s” is not possible while the garment is %(state)s."),
            details={"state": state, "allowed_actions": allowed},
            action=action,
            state=state or "not yet received",
        )


class NotPermitted(DomainError):
    """The user's role may not take the action at all."""

    code = "forbidden"

    def __init__(self, *, action: str, role: str, roles: list[str]):
        super().__init__(
            N_("Your role (%(role)s) may not “%(action)s”."),
            details={"roles_allowed": roles},
            action=action,
            role=role,
        )


class VersionConflict(DomainError):
    """Someone else changed the garment first; the caller acted on an old version."""

    code = "version_conflict"

    def __init__(self, *, expected: int, current: int, state: str, allowed: list[str]):
        super().__init__(
            N_("Someone else changed this garment a moment ago (it is now %(state)s). "
               "Check its new state and try again."),
            details={
                "expected_version": expected,
                "current_version": current,
                "state": state,
                "allowed_actions": allowed,
            },
            state=state,
        )


class NotFound(DomainError):
    """A named thing (garment, location, partner …) does not exist."""

    code = "not_found"
