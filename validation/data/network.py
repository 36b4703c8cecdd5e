"""Relationship-network features (关联网络), computed over a whole applicant population in DuckDB SQL.

A field with a `network` declaration is an integer an anti-fraud platform computes from values applicants
share: `shared` counts the other applicants with the same key (a device, a phone, an address), optionally
only those who applied within `within_days` days before; `group_size` is the size of the connected group
of applicants linked through any of its keys (1 for an applicant linked to no one).

Steps: Arrow table with the key columns --compute--> the same table with every network field computed
(replacing any column of that name): window counts for `shared`; for `group_size`, min-label propagation
with pointer jumping over the key links (O(log n) rounds; at most MAX_ROUNDS, past which the population is
refused rather than half-computed). Sample data (per chunk) and simulations (over the whole file) both
call `compute`, so a sample's network columns are what a simulation computes from its keys.
"""

from __future__ import annotations

import pyarrow as pa

from product_specs import CheckedSpec
from product_specs.sections import NetworkKind

__all__ = ["network_fields", "key_fields", "compute", "NetworkError", "MAX_ROUNDS"]

MAX_ROUNDS = 64
_RID = "ls_rid"


class NetworkError(ValueError):
    """The population's links cannot be resolved within MAX_ROUNDS rounds."""


def network_fields(checked: CheckedSpec) -> list:
    """The data dictionary's network features, in field order."""
    return [f for f in checked.spec.fields if f.network is not None]


def key_fields(checked: CheckedSpec) -> list[str]:
    """Every field a network feature reads (keys and day fields), once each."""
    names: list[str] = []
    for f in network_fields(checked):
        names += list(f.network.keys) + ([f.network.day_field] if f.network.day_field else [])
    return list(dict.fromkeys(names))


def _q(name: str) -> str:
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def compute(checked: CheckedSpec, table: pa.Table, con=None) -> pa.Table:
    """`table` with every network field computed over all its rows (the key columns must be present).

    Raises NetworkError when a connected group cannot be resolved within MAX_ROUNDS rounds."""
    fields = network_fields(checked)
    if not fields:
        return table
    own = con is None
    if own:
        from generators.decision import decision_connection

        con = decision_connection()
    try:
        keys = key_fields(checked)
        base = pa.table({**{k: table[k] for k in keys}, _RID: pa.array(range(table.num_rows), type=pa.int64())})
        con.register("ls_network_keys", base)
        con.execute("CREATE OR REPLACE TEMP TABLE ls_network AS SELECT * FROM ls_network_keys")
        con.unregister("ls_network_keys")
        values = {}
        for f in fields:
            net = f.network
            if net.kind is NetworkKind.SHARED:
                values[f.name] = _shared(con, net)
            else:
                values[f.name] = _group_size(con, net.keys)
        con.execute("DROP TABLE IF EXISTS ls_network")
    finally:
        if own:
            con.close()
    out = table
    for name, column in values.items():
        if name in out.column_names:
            out = out.set_column(out.column_names.index(name), name, column)
        else:
            out = out.append_column(name, column)
    return out


def _shared(con, net) -> pa.Array:
    key = _q(net.keys[0])
    if net.within_days is None:
        count = f"COUNT(*) OVER (PARTITION BY {key})"
        empty = f"{key} IS NULL"
    else:
        day = _q(net.day_field)
        count = (f"COUNT(*) OVER (PARTITION BY {key} ORDER BY {day} "
                 f"RANGE BETWEEN {int(net.within_days)} PRECEDING AND CURRENT ROW)")
        empty = f"{key} IS NULL OR {day} IS NULL"
    sql = (f"SELECT CAST(CASE WHEN {empty} THEN 0 ELSE {count} - 1 END AS BIGINT) AS v, {_RID} "
           f"FROM ls_network ORDER BY {_RID}")
    return con.sql(sql).to_arrow_table()["v"].combine_chunks()


def _group_size(con, keys) -> pa.Array:
    """Connected groups through equal keys: every applicant starts with its own label; each round takes
    the smallest label among the applicants sharing any key, then jumps to its label's label."""
    rid = _RID
    con.execute(f"CREATE OR REPLACE TEMP TABLE ls_label AS SELECT {rid}, {rid} AS label FROM ls_network")
    for _ in range(MAX_ROUNDS):
        mins = ", ".join(
            f"m{i} AS (SELECT {_q(k)} AS k, MIN(label) AS m FROM cur WHERE {_q(k)} IS NOT NULL GROUP BY 1)"
            for i, k in enumerate(keys))
        joins = " ".join(f"LEFT JOIN m{i} ON m{i}.k = cur.{_q(k)}" for i, k in enumerate(keys))
        least = ", ".join(f"COALESCE(m{i}.m, cur.label)" for i in range(len(keys)))
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE ls_next AS
            WITH cur AS (SELECT n.*, l.label FROM ls_network n JOIN ls_label l USING ({rid})), {mins},
            step AS (SELECT cur.{rid}, LEAST(cur.label, {least}) AS label FROM cur {joins})
            SELECT s.{rid}, LEAST(s.label, j.label) AS label FROM step s JOIN step j ON j.{rid} = s.label""")
        changed = con.execute(f"SELECT COUNT(*) FROM ls_next n JOIN ls_label l USING ({rid}) "
                          "WHERE n.label <> l.label").fetchone()[0]
        con.execute("DROP TABLE ls_label")
        con.execute("ALTER TABLE ls_next RENAME TO ls_label")
        if not changed:
            break
    else:
        raise NetworkError(f"the applicants' links ({', '.join(keys)}) could not be resolved into groups within "
                           f"{MAX_ROUNDS} rounds")
    sql = (f"SELECT CAST(COUNT(*) OVER (PARTITION BY label) AS BIGINT) AS v, {rid} FROM ls_label ORDER BY {rid}")
    out = con.sql(sql).to_arrow_table()["v"].combine_chunks()
    con.execute("DROP TABLE ls_label")
    return out
