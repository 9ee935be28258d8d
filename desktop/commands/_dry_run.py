"""``import --dry-run`` answers for the same account as the real run: it proves the account
(once the database has accounts) and finds what the real run would refuse by running the
commit in a transaction that is rolled back (``models.io.rehearsal``), so nothing is written
and the rows the ledger's rules refuse are refused in the dry run too."""
from __future__ import annotations


def refusal_of_real_run(store, plan, args) -> str:
    """One Chinese line saying why the real import would be refused, or '' when it would not.
    The rows the real run would refuse get their problems on ``plan``."""
    from desktop.commands._common import Refused, authenticated_actor
    from models import access
    from models.io.rehearsal import rehearse
    if access.has_accounts(store.conn):
        try:
            authenticated_actor(store, args)
        except Refused as exc:
            return f"试运行：{exc}"
    refusal = rehearse(store, plan, getattr(args, "reason", "") or "")
    return f"试运行：{refusal}" if refusal else ""
