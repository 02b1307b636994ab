PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE application (
    id              INTEGER PRIMARY KEY,
    receipt_no      TEXT NOT NULL UNIQUE,
    hall_region     TEXT NOT NULL,
    device          INTEGER NOT NULL,
    receipt_date    TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    received_at     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    staff_assisted  INTEGER NOT NULL CHECK (staff_assisted IN (0, 1)),
    applicant_kind  TEXT NOT NULL CHECK (applicant_kind IN ('person', 'organisation')),
    -- Personal fields: set to NULL once the county has the application.
    name            TEXT,
    id_kind         TEXT,
    id_number       TEXT,
    credit_code     TEXT,
    contact_person  TEXT,
    phone           TEXT,
    address         TEXT,
    email           TEXT,
    -- Masked forms for screens and reprints, kept after the purge.
    name_masked     TEXT NOT NULL,
    id_masked       TEXT NOT NULL,
    phone_masked    TEXT NOT NULL,
    item_key        TEXT,
    document_key    TEXT,
    linked_title    TEXT,
    doc_no          TEXT,
    description     TEXT NOT NULL,
    provide_form    TEXT NOT NULL CHECK (provide_form IN ('paper', 'electronic')),
    delivery        TEXT NOT NULL CHECK (delivery IN ('collect', 'post', 'email')),
    body_name       TEXT NOT NULL,
    body_region     TEXT NOT NULL,
    deadline        TEXT,
    deadline_unknown_year INTEGER,
    purged_at       TEXT, pin_salt TEXT, pin_sha256 TEXT, progress_token TEXT, pin_failures INTEGER NOT NULL DEFAULT 0, pin_locked_until TEXT,
    UNIQUE (hall_region, device, receipt_date, sequence)
) STRICT;
INSERT INTO application VALUES(1,'99052120120101261123000152','990521201201',1,'2026-11-23',1,'2026-11-23 09:05:00+08:00','现场·政务公开专区终端',0,'person',NULL,'resident_id',NULL,NULL,NULL,NULL,NULL,NULL,'王**','110105********002X','138****8000',NULL,NULL,NULL,NULL,'2025年石桥村低保名单','paper','collect','石桥乡人民政府','990521201','2026-12-21',NULL,'2026-12-01 08:00:00+08:00','5432438b41fdecabbdb189b79409f05d','2d12e7ed890bcc30912174106768c5c32a794de6f0c39aefeae1ff443b44e703','c5j3yhcdckoqymotkucqcnep',0,NULL);
INSERT INTO application VALUES(2,'99052120120101261123000249','990521201201',1,'2026-11-23',2,'2026-11-23 10:30:00+08:00','现场·政务公开专区终端',1,'organisation','云溪县石桥农机合作社',NULL,NULL,'91350100M000100Y43','李四','13800138001',NULL,NULL,'云溪县石桥农机合作社','91350100M000100Y43','138****8001',NULL,NULL,NULL,NULL,'石桥村道路硬化工程合同','paper','collect','石桥乡人民政府','990521201','2026-12-21',NULL,NULL,'686cbcc88a73eb0dbb82c95e118235d9','888e11a267b4518ae7791f504db7f9e17780619918c38c1781ad8fb294149b40','3gttqbqdc2oij62pu3hpk4ti',2,NULL);
CREATE TABLE status_change (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    at             TEXT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('terminal', 'county'))
) STRICT;
INSERT INTO status_change VALUES(1,1,'2026-11-23 09:05:00+08:00','received','','terminal');
INSERT INTO status_change VALUES(2,2,'2026-11-23 10:30:00+08:00','received','工作人员代为填写','terminal');
INSERT INTO status_change VALUES(3,1,'2026-11-23 09:10:00+08:00','delivered','','terminal');
INSERT INTO status_change VALUES(4,1,'2026-11-24 09:00:00+08:00','registered','','county');
INSERT INTO status_change VALUES(5,1,'2026-11-30 15:00:00+08:00','replied','予以公开','county');
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES application(id),
    kind            TEXT NOT NULL CHECK (kind IN ('application', 'rating')),
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at    TEXT,
    last_error      TEXT,
    UNIQUE (application_id, kind)
) STRICT;
INSERT INTO outbox VALUES(1,1,'application','2026-11-23 09:05:00+08:00',1,'2026-11-23 09:05:00+08:00','2026-11-23 09:10:00+08:00',NULL);
INSERT INTO outbox VALUES(2,2,'application','2026-11-23 10:30:00+08:00',1,'2026-11-23 11:00:00+08:00',NULL,'连接县里超时');
INSERT INTO outbox VALUES(3,1,'rating','2026-11-23 09:06:00+08:00',0,'2026-11-23 09:06:00+08:00',NULL,NULL);
CREATE TABLE print_log (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    at             TEXT NOT NULL,
    reprint        INTEGER NOT NULL CHECK (reprint IN (0, 1)),
    outcome        TEXT NOT NULL CHECK (outcome IN ('printed', 'failed', 'shown_on_screen')),
    detail         TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO print_log VALUES(1,1,'2026-11-23 09:05:30+08:00',0,'printed','');
INSERT INTO print_log VALUES(2,2,'2026-11-23 10:30:30+08:00',0,'shown_on_screen','缺纸');
CREATE TABLE rating (
    application_id INTEGER PRIMARY KEY REFERENCES application(id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    at             TEXT NOT NULL
) STRICT;
INSERT INTO rating VALUES(1,4,'2026-11-23 09:06:00+08:00');
CREATE TABLE device_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    at    TEXT NOT NULL
) STRICT;
INSERT INTO device_state VALUES('printer','paper_out','2026-11-23 10:30:31+08:00');
INSERT INTO device_state VALUES('status_cursor','8','2026-12-01 08:00:00+08:00');
CREATE INDEX application_by_date ON application(receipt_date);
CREATE INDEX status_change_by_application ON status_change(application_id);
COMMIT;
PRAGMA user_version=3;
