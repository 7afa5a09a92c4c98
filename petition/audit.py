"""The audit log's one writer for actions on a letter itself (its settings, life, organisers,
blocks, exports, updates). Actions on signatures write their entry in signatures.moderation,
with the ids they changed."""

from .models import AuditEntry, Letter


def audit_record(
    *, letter: Letter, actor, action: str, detail: str = "", changed: int = 0
) -> AuditEntry:
    return AuditEntry.objects.create(
        letter=letter, actor=actor, action=action, detail=detail[:300], changed=changed
    )
