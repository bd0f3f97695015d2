DROP INDEX calendar_entries_unresolved_sla;
DROP TABLE sla_breaches;
DROP TABLE trace_audience;
DROP TABLE trace_heads;
DROP TABLE traces;
DROP TABLE opportunity_team;
DROP TABLE opportunities;
