CREATE TABLE items (id serial primary key);
