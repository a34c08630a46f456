from django.db import migrations

# The audit trail is append-only in the database itself, not only by convention in the code.
APPEND_ONLY = """
CREATE FUNCTION assessments_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION assessments_audit_append_only();
"""

REVERSE = """
DROP TRIGGER audit_append_only ON assessments_auditevent;
DROP FUNCTION assessments_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, REVERSE)]
