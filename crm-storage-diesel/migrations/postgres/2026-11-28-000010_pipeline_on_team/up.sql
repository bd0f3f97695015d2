-- A team member's row also carries the opportunity's pipeline figures (stage, close date,
-- currency, probability, volume), so that a user's pipeline is summed from his own range of
-- the team key instead of one look-up of the opportunity per row; storage rewrites them with
-- the opportunity.
ALTER TABLE opportunity_team ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE opportunity_team ADD COLUMN close_date DATE;
ALTER TABLE opportunity_team ADD COLUMN currency TEXT;
ALTER TABLE opportunity_team ADD COLUMN probability BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunity_team ADD COLUMN volume BIGINT;
UPDATE opportunity_team SET
    stage = (SELECT o.stage FROM opportunities o WHERE o.id = opportunity_team.opportunity_id),
    close_date = (SELECT o.close_date FROM opportunities o WHERE o.id = opportunity_team.opportunity_id),
    currency = (SELECT o.currency FROM opportunities o WHERE o.id = opportunity_team.opportunity_id),
    probability = (SELECT o.probability FROM opportunities o WHERE o.id = opportunity_team.opportunity_id),
    volume = (SELECT o.volume FROM opportunities o WHERE o.id = opportunity_team.opportunity_id);
