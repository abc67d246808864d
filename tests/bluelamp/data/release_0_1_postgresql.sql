-- The database Bluelamp 0.1 made on PostgreSQL (each room's metadata.create_all, no
-- alembic_version), with the same rows as release_0_1_sqlite.sql: pg_dump --inserts of it,
-- its schema's name taken out so that it loads into any schema (search_path).
CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TABLE audit (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor character varying(200),
    role character varying(16),
    action character varying(64) NOT NULL,
    target character varying(200),
    client character varying(64),
    outcome character varying(16) NOT NULL,
    status integer,
    detail json
);
CREATE SEQUENCE audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE audit_id_seq OWNED BY audit.id;
CREATE TABLE events (
    seq bigint NOT NULL,
    source character varying(200) NOT NULL,
    event_id character varying(64) NOT NULL,
    type character varying(32) NOT NULL,
    "time" timestamp with time zone NOT NULL,
    borough character varying(40),
    bcu character varying(4),
    recorded_at timestamp with time zone NOT NULL,
    body text NOT NULL,
    incident_id character varying(64),
    unit_id character varying(64)
);
CREATE TABLE report_cursor (
    id integer NOT NULL,
    seq bigint NOT NULL
);
CREATE SEQUENCE report_cursor_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE report_cursor_id_seq OWNED BY report_cursor.id;
CREATE TABLE report_incidents (
    incident_id character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    initial_grade character varying(1) NOT NULL,
    grade character varying(1) NOT NULL,
    category character varying(200) NOT NULL,
    borough character varying(40),
    bcu character varying(4),
    assigned_at timestamp with time zone,
    arrived_at timestamp with time zone,
    closed_at timestamp with time zone,
    first_unit character varying(64),
    first_unit_home_bcu character varying(4),
    outcome character varying(200),
    reference character varying(200),
    address character varying(200)
);
CREATE TABLE report_jobs (
    id character varying(32) NOT NULL,
    owner character varying(64) NOT NULL,
    name character varying(32) NOT NULL,
    request json NOT NULL,
    state character varying(16) NOT NULL,
    progress double precision NOT NULL,
    step character varying(200),
    created_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    media_type character varying(100),
    filename character varying(200),
    body bytea,
    error text,
    heartbeat_at timestamp with time zone
);
CREATE TABLE report_redeployments (
    seq bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    unit_id character varying(64) NOT NULL,
    home_bcu character varying(4) NOT NULL,
    from_bcu character varying(4) NOT NULL,
    to_bcu character varying(4) NOT NULL,
    reason character varying(200)
);
CREATE SEQUENCE report_redeployments_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE report_redeployments_seq_seq OWNED BY report_redeployments.seq;
CREATE TABLE report_unit_hours (
    hour timestamp with time zone NOT NULL,
    unit_id character varying(64) NOT NULL,
    bcu character varying(4) NOT NULL,
    status character varying(16) NOT NULL,
    home_bcu character varying(4) NOT NULL,
    unit_type character varying(16) NOT NULL,
    seconds double precision NOT NULL
);
CREATE TABLE report_unit_state (
    unit_id character varying(64) NOT NULL,
    unit_type character varying(16) NOT NULL,
    home_bcu character varying(4) NOT NULL,
    bcu character varying(4) NOT NULL,
    status character varying(16) NOT NULL,
    since timestamp with time zone NOT NULL,
    incident_id character varying(64)
);
CREATE TABLE revoked_tokens (
    jti character varying(64) NOT NULL,
    username character varying(64) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone NOT NULL
);
CREATE TABLE snapshots (
    seq bigint NOT NULL,
    taken_at timestamp with time zone NOT NULL,
    picture text NOT NULL
);
CREATE TABLE users (
    username character varying(64) NOT NULL,
    password_hash text NOT NULL,
    role character varying(16) NOT NULL,
    bcu character varying(4),
    disabled boolean NOT NULL,
    created_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY audit ALTER COLUMN id SET DEFAULT nextval('audit_id_seq'::regclass);
ALTER TABLE ONLY report_cursor ALTER COLUMN id SET DEFAULT nextval('report_cursor_id_seq'::regclass);
ALTER TABLE ONLY report_redeployments ALTER COLUMN seq SET DEFAULT nextval('report_redeployments_seq_seq'::regclass);
INSERT INTO audit VALUES (1, '2026-11-26 03:25:47.30571+00', 'chief', 'commander', 'signin', NULL, '10.0.0.5', 'ok', 200, '{}');
INSERT INTO audit VALUES (2, '2026-11-26 03:25:47.308999+00', 'nobody', NULL, 'signin', NULL, '10.0.0.9', 'failed', 401, '{"reason": "bad credentials"}');
INSERT INTO audit VALUES (3, '2026-11-26 03:25:47.310126+00', 'chief', 'commander', 'export', 'incidents', '10.0.0.5', 'ok', 200, '{"format": "csv"}');
INSERT INTO events VALUES (1, 'cad-met', 'cad-met-1', 'unit.on_duty', '2026-11-24 20:00:10+00', 'Westminster', 'AW', '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-1","source":"cad-met","time":"2026-11-24T20:00:10Z","type":"unit.on_duty","data":{"unit_id":"AW-IRV-01","callsign":"AW11","unit_type":"IRV","home_bcu":"AW","lat":51.508,"lon":-0.1281}}', NULL, 'AW-IRV-01');
INSERT INTO events VALUES (2, 'cad-met', 'cad-met-2', 'unit.on_duty', '2026-11-24 20:00:20+00', 'Westminster', 'AW', '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-2","source":"cad-met","time":"2026-11-24T20:00:20Z","type":"unit.on_duty","data":{"unit_id":"AW-IRV-02","callsign":"AW-IRV-02","unit_type":"IRV","home_bcu":"AW","lat":51.508,"lon":-0.1281}}', NULL, 'AW-IRV-02');
INSERT INTO events VALUES (3, 'cad-met', 'cad-met-3', 'unit.on_duty', '2026-11-24 20:00:30+00', 'Camden', 'CN', '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-3","source":"cad-met","time":"2026-11-24T20:00:30Z","type":"unit.on_duty","data":{"unit_id":"CN-IRV-01","callsign":"CN-IRV-01","unit_type":"IRV","home_bcu":"CN","lat":51.5415,"lon":-0.1466}}', NULL, 'CN-IRV-01');
INSERT INTO events VALUES (4, 'cad-met', 'cad-met-4', 'incident.created', '2026-11-24 20:00:40+00', 'Westminster', 'AW', '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-4","source":"cad-met","time":"2026-11-24T20:00:40Z","type":"incident.created","data":{"incident_id":"CAD-0001","grade":"I","category":"violence","lat":51.5154,"lon":-0.1418,"reference":"CAD 0001/23MAR","address":"Oxford Street W1"}}', 'CAD-0001', NULL);
INSERT INTO events VALUES (5, 'cad-met', 'cad-met-5', 'incident.assigned', '2026-11-24 20:00:50+00', NULL, NULL, '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-5","source":"cad-met","time":"2026-11-24T20:00:50Z","type":"incident.assigned","data":{"incident_id":"CAD-0001","unit_id":"AW-IRV-01"}}', 'CAD-0001', 'AW-IRV-01');
INSERT INTO events VALUES (6, 'cad-met', 'cad-met-6', 'incident.arrived', '2026-11-24 20:01:00+00', NULL, NULL, '2026-11-26 03:25:46.843646+00', '{"specversion":"1.0","id":"cad-met-6","source":"cad-met","time":"2026-11-24T20:01:00Z","type":"incident.arrived","data":{"incident_id":"CAD-0001","unit_id":"AW-IRV-01"}}', 'CAD-0001', 'AW-IRV-01');
INSERT INTO events VALUES (7, 'cad-met', 'cad-met-7', 'incident.created', '2026-11-24 20:01:10+00', 'Camden', 'CN', '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-7","source":"cad-met","time":"2026-11-24T20:01:10Z","type":"incident.created","data":{"incident_id":"CAD-0002","grade":"S","category":"theft","lat":51.5415,"lon":-0.1466}}', 'CAD-0002', NULL);
INSERT INTO events VALUES (8, 'cad-met', 'cad-met-8', 'incident.assigned', '2026-11-24 20:01:20+00', NULL, NULL, '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-8","source":"cad-met","time":"2026-11-24T20:01:20Z","type":"incident.assigned","data":{"incident_id":"CAD-0002","unit_id":"AW-IRV-02"}}', 'CAD-0002', 'AW-IRV-02');
INSERT INTO events VALUES (9, 'cad-met', 'cad-met-9', 'unit.redeployed', '2026-11-24 20:01:30+00', NULL, NULL, '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-9","source":"cad-met","time":"2026-11-24T20:01:30Z","type":"unit.redeployed","data":{"unit_id":"AW-IRV-02","bcu":"CN","reason":"demand"}}', NULL, 'AW-IRV-02');
INSERT INTO events VALUES (10, 'cad-met', 'cad-met-10', 'incident.noted', '2026-11-24 20:01:40+00', NULL, NULL, '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-10","source":"cad-met","time":"2026-11-24T20:01:40Z","type":"incident.noted","data":{"incident_id":"CAD-0001","text":"caller rang back","by":"ann"}}', 'CAD-0001', NULL);
INSERT INTO events VALUES (11, 'cad-met', 'cad-met-11', 'incident.closed', '2026-11-24 20:01:50+00', NULL, NULL, '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-11","source":"cad-met","time":"2026-11-24T20:01:50Z","type":"incident.closed","data":{"incident_id":"CAD-0001","outcome":"resolved"}}', 'CAD-0001', NULL);
INSERT INTO events VALUES (12, 'cad-met', 'cad-met-12', 'unit.location', '2026-11-24 20:02:00+00', 'Camden', 'CN', '2026-11-26 03:25:46.850374+00', '{"specversion":"1.0","id":"cad-met-12","source":"cad-met","time":"2026-11-24T20:02:00Z","type":"unit.location","data":{"unit_id":"CN-IRV-01","lat":51.5425,"lon":-0.1456}}', NULL, 'CN-IRV-01');
INSERT INTO report_cursor VALUES (1, 12);
INSERT INTO report_incidents VALUES ('CAD-0001', '2026-11-24 20:00:40+00', 'I', 'I', 'violence', 'Westminster', 'AW', '2026-11-24 20:00:50+00', '2026-11-24 20:01:00+00', '2026-11-24 20:01:50+00', 'AW-IRV-01', 'AW', 'resolved', 'CAD 0001/23MAR', 'Oxford Street W1');
INSERT INTO report_incidents VALUES ('CAD-0002', '2026-11-24 20:01:10+00', 'S', 'S', 'theft', 'Camden', 'CN', '2026-11-24 20:01:20+00', NULL, NULL, 'AW-IRV-02', 'AW', NULL, NULL, NULL);
INSERT INTO report_jobs VALUES ('1d827e9a0ed74859ae890fa2888e1a24', 'chief', 'incidents', '{"from": "2026-03-23", "to": "2026-03-23", "format": "csv"}', 'done', 1, 'done', '2026-11-26 03:25:47.312811+00', '2026-11-26 03:25:47.318325+00', 'text/csv', 'incidents-2026-03-23.csv', '\x7265666572656e63652c67726164650a4341442d312c490a', NULL, '2026-11-26 03:25:47.312819+00');
INSERT INTO report_jobs VALUES ('8c099507511e42eab58415f4df73b1d0', 'chief', 'units', '{"from": "2026-03-23", "to": "2026-03-23", "format": "json"}', 'queued', 0, NULL, '2026-11-26 03:25:47.320258+00', NULL, NULL, NULL, NULL, NULL, '2026-11-26 03:25:47.32026+00');
INSERT INTO report_redeployments VALUES (9, '2026-11-24 20:01:30+00', 'AW-IRV-02', 'AW', 'AW', 'CN', 'demand');
INSERT INTO report_unit_hours VALUES ('2026-11-24 20:00:00+00', 'AW-IRV-01', 'AW', 'available', 'AW', 'IRV', 40);
INSERT INTO report_unit_hours VALUES ('2026-11-24 20:00:00+00', 'AW-IRV-01', 'AW', 'en_route', 'AW', 'IRV', 10);
INSERT INTO report_unit_hours VALUES ('2026-11-24 20:00:00+00', 'AW-IRV-02', 'AW', 'available', 'AW', 'IRV', 60);
INSERT INTO report_unit_hours VALUES ('2026-11-24 20:00:00+00', 'AW-IRV-02', 'AW', 'en_route', 'AW', 'IRV', 10);
INSERT INTO report_unit_hours VALUES ('2026-11-24 20:00:00+00', 'AW-IRV-01', 'AW', 'on_scene', 'AW', 'IRV', 50);
INSERT INTO report_unit_state VALUES ('AW-IRV-01', 'IRV', 'AW', 'AW', 'available', '2026-11-24 20:01:50+00', NULL);
INSERT INTO report_unit_state VALUES ('AW-IRV-02', 'IRV', 'AW', 'CN', 'en_route', '2026-11-24 20:01:30+00', 'CAD-0002');
INSERT INTO report_unit_state VALUES ('CN-IRV-01', 'IRV', 'CN', 'CN', 'available', '2026-11-24 20:00:30+00', NULL);
INSERT INTO revoked_tokens VALUES ('5f1c0e7a9b3d4e21', 'chief', '2030-01-01 00:00:00+00', '2026-03-23 09:00:00+00');
INSERT INTO snapshots VALUES (6, '2026-11-26 03:25:46.848928+00', '{"seq":6,"now":"2026-11-24T20:01:00+00:00","recent":["2026-11-24T20:00:10+00:00","2026-11-24T20:00:20+00:00","2026-11-24T20:00:30+00:00","2026-11-24T20:00:40+00:00","2026-11-24T20:00:50+00:00","2026-11-24T20:01:00+00:00"],"incident_fields":["incident_id","grade","category","lat","lon","borough","bcu","created_at","summary","status","units","first_unit","assigned_at","arrived_at","closed_at","outcome","graded_history","reference","address"],"incidents":[["CAD-0001","I","violence",51.5154,-0.1418,"Westminster","AW","2026-11-24T20:00:40+00:00",null,"on_scene",["AW-IRV-01"],"AW-IRV-01","2026-11-24T20:00:50+00:00","2026-11-24T20:01:00+00:00",null,null,[["2026-11-24T20:00:40+00:00","I"]],"CAD 0001/23MAR","Oxford Street W1"]],"unit_fields":["unit_id","callsign","unit_type","home_bcu","bcu","status","lat","lon","fix_at","borough","incident_id","status_since"],"units":[["AW-IRV-01","AW11","IRV","AW","AW","on_scene",51.508,-0.1281,"2026-11-24T20:00:10+00:00","Westminster","CAD-0001","2026-11-24T20:01:00+00:00"],["AW-IRV-02","AW-IRV-02","IRV","AW","AW","available",51.508,-0.1281,"2026-11-24T20:00:20+00:00","Westminster",null,"2026-11-24T20:00:20+00:00"],["CN-IRV-01","CN-IRV-01","IRV","CN","CN","available",51.5415,-0.1466,"2026-11-24T20:00:30+00:00","Camden",null,"2026-11-24T20:00:30+00:00"]],"mutual_aid":[],"acknowledged":[]}');
INSERT INTO users VALUES ('chief', '$argon2id$v=19$m=65536,t=3,p=4$OTKIu7kzqH9+ze+ACSVnCQ$Psbw4Ty1dpD/Yo3ldrZ81A5j0Hjw9Dqa5I85U0vz4AE', 'commander', NULL, false, '2026-11-26 03:25:46.905321+00');
INSERT INTO users VALUES ('aw.inspector', '$argon2id$v=19$m=65536,t=3,p=4$oB0U0x2U4zUpoV8Y6/+lVQ$oc70f6O48dVhulVFH9h7MNUJBfgLSu2CZJFHqt173Fo', 'inspector', 'AW', false, '2026-11-26 03:25:47.147492+00');
SELECT pg_catalog.setval('audit_id_seq', 3, true);
SELECT pg_catalog.setval('report_cursor_id_seq', 1, false);
SELECT pg_catalog.setval('report_redeployments_seq_seq', 1, false);
ALTER TABLE ONLY audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (id);
ALTER TABLE ONLY events
    ADD CONSTRAINT events_pkey PRIMARY KEY (seq);
ALTER TABLE ONLY report_cursor
    ADD CONSTRAINT report_cursor_pkey PRIMARY KEY (id);
ALTER TABLE ONLY report_incidents
    ADD CONSTRAINT report_incidents_pkey PRIMARY KEY (incident_id);
ALTER TABLE ONLY report_jobs
    ADD CONSTRAINT report_jobs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY report_redeployments
    ADD CONSTRAINT report_redeployments_pkey PRIMARY KEY (seq);
ALTER TABLE ONLY report_unit_hours
    ADD CONSTRAINT report_unit_hours_pkey PRIMARY KEY (hour, unit_id, bcu, status);
ALTER TABLE ONLY report_unit_state
    ADD CONSTRAINT report_unit_state_pkey PRIMARY KEY (unit_id);
ALTER TABLE ONLY revoked_tokens
    ADD CONSTRAINT revoked_tokens_pkey PRIMARY KEY (jti);
ALTER TABLE ONLY snapshots
    ADD CONSTRAINT snapshots_pkey PRIMARY KEY (seq);
ALTER TABLE ONLY events
    ADD CONSTRAINT uq_events_source_id UNIQUE (source, event_id);
ALTER TABLE ONLY users
    ADD CONSTRAINT users_pkey PRIMARY KEY (username);
CREATE INDEX ix_audit_actor_at ON audit USING btree (actor, at);
CREATE INDEX ix_audit_at ON audit USING btree (at);
CREATE INDEX ix_events_incident ON events USING btree (incident_id, seq);
CREATE INDEX ix_events_time ON events USING btree ("time");
CREATE INDEX ix_events_unit ON events USING btree (unit_id, seq);
CREATE INDEX ix_report_incidents_created ON report_incidents USING btree (created_at);
CREATE INDEX ix_report_redeployments_at ON report_redeployments USING btree (at);
CREATE INDEX ix_revoked_tokens_expires_at ON revoked_tokens USING btree (expires_at);
CREATE TRIGGER audit_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
