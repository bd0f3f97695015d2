DROP TABLE revenue_rep_cube;
