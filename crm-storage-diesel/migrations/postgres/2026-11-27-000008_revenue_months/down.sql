DROP TABLE revenue_months;
