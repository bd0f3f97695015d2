ALTER TABLE opportunity_team DROP COLUMN volume;
ALTER TABLE opportunity_team DROP COLUMN probability;
ALTER TABLE opportunity_team DROP COLUMN currency;
ALTER TABLE opportunity_team DROP COLUMN close_date;
ALTER TABLE opportunity_team DROP COLUMN stage;
