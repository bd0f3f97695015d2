DROP TABLE product_promotions;
DROP TABLE products;
DROP TABLE product_groups;
