"""Accounts that reveal nothing to strangers: the password reset and the users' e-mail hashes.

* **Reset** (CKAN's ``INotifier`` topic ``request_password_reset``): the catalog sends the reset
  link itself and, when the mail server is down or refuses, logs the failure instead of letting
  it through. Stock CKAN 2.12 then answered 500 for an existing account or e-mail and 200 for an
  unknown one, so the form told who has an account; now every request gets the same answer.
* **E-mail hashes**: ``user_show``, ``user_list`` and the members listed by
  ``organization_show``/``group_show`` carry ``email_hash`` (the MD5 of the address, enough to
  confirm a guessed address) only for the user themself and sysadmins (``logic/chained.py``).
"""
from __future__ import annotations

import logging
from typing import Any

from ckan import authz, model
from ckan.types import Context

__all__ = ["notify_about_topic", "without_email_hash"]

log = logging.getLogger(__name__)

RESET_TOPIC = "request_password_reset"


def notify_about_topic(already_notified: bool, topic: str,
                       details: dict[str, Any] | None = None) -> bool:
    """Send the reset link (once); a failure of the mail server is logged, never shown."""
    if already_notified or topic != RESET_TOPIC or not details or not details.get("user"):
        return already_notified
    from ckan.lib import mailer

    user = details["user"]
    try:
        mailer.send_reset_link(user)
    except Exception:  # noqa: BLE001 - whatever the mail server did, the answer is the same
        log.exception("The password reset link for %s could not be sent", user.name)
    return True


def _may_see_hash(context: Context, user_id: str | None) -> bool:
    name = context.get("user")
    if not name:
        return False
    if authz.is_sysadmin(name):
        return True
    reader = model.User.get(name)
    return reader is not None and user_id is not None and reader.id == user_id


def without_email_hash(context: Context, users: Any) -> Any:
    """``users`` (a user dict or a list of them, as the actions return) without the e-mail hash
    of anybody but the reader, unless the reader is a sysadmin."""
    for user in users if isinstance(users, list) else [users]:
        if isinstance(user, dict) and not _may_see_hash(context, user.get("id")):
            user.pop("email_hash", None)
    return users
