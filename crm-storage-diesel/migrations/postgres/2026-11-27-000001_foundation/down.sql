DROP TABLE address_activations;
DROP TABLE notes;
DROP TABLE contacts;
DROP TABLE address_words;
DROP TABLE addresses;
DROP TABLE counters;
DROP TABLE users;
