"""The ports the services are written against: one unit of work (``unit.Unit``: one transaction
and the repositories bound to it) and one small repository protocol per capability, each in its
own module. Storage adapters implement them: ``server/storage`` (Postgres, ``Postgres<Port>``)
and ``server/storage/memory`` (``Memory<Port>``); one contract suite per port runs over both
(tests/contract). Repositories take and return domain values (``server/domain``), never rows."""
