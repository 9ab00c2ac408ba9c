from django.db import models
from django.db.models import Exists


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ProbeExists(Exists):
    """EXISTS that PostgreSQL evaluates per outer row, with an index probe.

    For a correlated EXISTS, PostgreSQL may instead read every row the subquery matches
    without the correlation and hash them (a "hashed SubPlan"): cheaper on a small table,
    but the cost grows with the whole table, every tenant's rows included. When the outer
    rows are one tenant's few (the exercises a trainer sees, filtered by a muscle of a link
    table shared by every studio), probing per row is what keeps the read flat as the
    database grows. `OFFSET 0` keeps the planner from turning the EXISTS into a semi-join
    or a hashed subplan; the results are the same."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context
        )
