DROP TABLE pool_members;
DROP TABLE pools;
DROP TABLE calendar_attendance;
DROP TABLE milestone_moves;
DROP TABLE calendar_contacts;
DROP TABLE calendar_people;
DROP TABLE calendar_entries;
