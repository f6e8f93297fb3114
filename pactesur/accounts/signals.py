"""Log-ins, log-outs and failed log-ins (wrong passwords and wrong two-factor codes) go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The log-in views set `otp_device` when a two-factor code completed the log-in.
    detail = {"two_factor": True} if getattr(user, "otp_device", None) is not None else None
    do_record_audit(AuditAction.LOGIN, acting_user=user, request=request, detail=detail)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        do_record_audit(AuditAction.LOGOUT, acting_user=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    do_record_audit(
        AuditAction.LOGIN_FAILED,
        acting_user=None,
        username=str(credentials.get("username", ""))[:150],
        # A wrong two-factor code (pactesur.accounts.two_factor.record_failed_code) after a right password.
        detail={"step": "two_factor"} if credentials.get("two_factor") else None,
        request=request,
    )
