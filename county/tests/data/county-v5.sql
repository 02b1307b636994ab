PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE application (
    id           INTEGER PRIMARY KEY,
    receipt_no   TEXT NOT NULL UNIQUE,
    terminal_id  TEXT NOT NULL REFERENCES terminal(id),
    received_at  TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    body_name    TEXT NOT NULL,
    deadline     TEXT,
    extended_to  TEXT,
    outcome      TEXT,
    payload      TEXT NOT NULL
, applicant_kind TEXT, closed_at TEXT, purged_at TEXT, progress_token_sha256 TEXT) STRICT;
INSERT INTO application VALUES(1,'99052120120101261123000152','990521201201-01','2026-11-23 09:05:00+08:00','2026-11-23 09:06:00+08:00','石桥乡人民政府','2026-12-21',NULL,'disclosed','{"receipt_no":"99052120120101261123000152","hall_region":"990521201201","device":1,"received_at":"2026-11-23 09:05:00+08:00","channel":"现场·政务公开专区终端","staff_assisted":false,"applicant":{"kind":"person","name":"王秀英","id_kind":"resident_id","id_number":"11010519491231002X"},"phone":"13800138000","address":null,"email":null,"item_key":null,"document_key":null,"linked_title":null,"doc_no":null,"description":"2025年石桥村低保名单","provide_form":"paper","delivery":"collect","body_name":"石桥乡人民政府","body_region":"990521201","deadline":"2026-12-21","deadline_unknown_year":null}','person','2026-11-30 15:00:00+08:00',NULL,'91db68a5a00cbff9937676e0ab704dc97923d790e587219efa4ccb043670f70c');
INSERT INTO application VALUES(2,'99052120120101261123000249','990521201201-01','2026-11-23 10:30:00+08:00','2026-11-23 10:31:00+08:00','石桥乡人民政府','2026-12-21','2026-12-28',NULL,'{"receipt_no":"99052120120101261123000249","hall_region":"990521201201","device":1,"received_at":"2026-11-23 10:30:00+08:00","channel":"现场·政务公开专区终端","staff_assisted":false,"applicant":{"kind":"organisation","name":"云溪县石桥农机专业合作社","credit_code":"91350100M000100Y43","contact_person":"李强"},"phone":"13800138000","address":null,"email":null,"item_key":null,"document_key":null,"linked_title":null,"doc_no":null,"description":"2025年石桥村低保名单","provide_form":"paper","delivery":"collect","body_name":"石桥乡人民政府","body_region":"990521201","deadline":"2026-12-21","deadline_unknown_year":null}','organisation',NULL,NULL,NULL);
CREATE TABLE status_change (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES application(id),
    status         TEXT NOT NULL,
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO status_change VALUES(1,1,'registered','2026-11-24 09:00:00+08:00','');
INSERT INTO status_change VALUES(2,1,'replied','2026-11-30 15:00:00+08:00','予以公开');
INSERT INTO status_change VALUES(3,2,'extended','2026-12-15 14:00:00+08:00','延期至2026年12月28日：需征求第三方意见');
CREATE TABLE rating (
    receipt_no TEXT PRIMARY KEY,
    level      INTEGER NOT NULL,
    at         TEXT NOT NULL
) STRICT;
INSERT INTO rating VALUES('99052120120101261123000152',5,'2026-11-23 09:07:00+08:00');
CREATE TABLE IF NOT EXISTS "enrol_code" (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL,
    hall_region TEXT NOT NULL,
    device      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) STRICT;
INSERT INTO enrol_code VALUES(1,'pbkdf2-sha256$100000$a5e1f1a8c8a2acefb35ec1fb85907451$2023bb45da283bfb8a0ea82524238736b1133a9dccb6fe09c522fd64c6516139','990521201201',1,'2026-11-20 09:00:00+08:00','2026-11-27 09:00:00+08:00','2026-11-20 09:00:00+08:00');
INSERT INTO enrol_code VALUES(2,'pbkdf2-sha256$100000$7a834f428be1f6d985eeb3a13256ca25$ac5f37816f86946c5612cd81d1a00f920bed256f707ffe1162a3913f16fff621','990521201201',2,'2026-11-20 09:00:00+08:00','2026-11-27 09:00:00+08:00','2026-11-20 09:00:00+08:00');
INSERT INTO enrol_code VALUES(3,'pbkdf2-sha256$100000$0d4328f1919bcbcf09cdc29a88bf9c60$2802721c937ccbfe98c7610eab38a3201063b5c0bb4ae3c83da3cf1b0c827efd','990521201201',3,'2026-11-20 09:00:00+08:00','2026-12-20 09:00:00+08:00',NULL);
CREATE TABLE IF NOT EXISTS "terminal" (
    id                   TEXT PRIMARY KEY,
    hall_region          TEXT NOT NULL,
    device               INTEGER NOT NULL,
    token_sha256         TEXT UNIQUE,
    token_issued_at      TEXT,
    pending_token_sha256 TEXT UNIQUE,
    pending_issued_at    TEXT,
    enrolled_at          TEXT NOT NULL,
    last_seen_at         TEXT,
    health               TEXT,
    revoked_at           TEXT,
    UNIQUE (hall_region, device)
) STRICT;
INSERT INTO terminal VALUES('990521201201-01','990521201201',1,'f05157add76236d1267adfd3dab9ad31fba19b45bd443c8c135f3fb0eae3f8a3','2026-11-20 09:00:00+08:00',NULL,NULL,'2026-11-20 09:00:00+08:00','2026-11-23 09:06:00+08:00','{"agent_version":"0.1.0","feed_version":7,"last_sync_ok":"2026-12-15 13:00:00+08:00","last_error":null,"outbox_depth":0,"printer":"near_end","printer_detail":"记录于 2026-12-15 12:00:00+08:00","disk_free_bytes":1000000000,"disk_total_bytes":8000000000,"reported_at":"2026-12-15 13:00:01+08:00"}',NULL);
INSERT INTO terminal VALUES('990521201201-02','990521201201',2,'d162080fbfdc19d50acd6d464c0555d9dfc1111757655f282bc49d178901cbbc','2026-11-20 09:00:00+08:00',NULL,NULL,'2026-11-20 09:00:00+08:00',NULL,NULL,'2026-12-01 10:00:00+08:00');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('status_change',3);
CREATE INDEX enrol_code_by_terminal ON enrol_code(hall_region, device);
CREATE UNIQUE INDEX application_by_progress_token ON application(progress_token_sha256);
COMMIT;
PRAGMA user_version=5;
