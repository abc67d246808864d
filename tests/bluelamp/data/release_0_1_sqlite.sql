-- The database Bluelamp 0.1 made (each room's metadata.create_all, no alembic_version),
-- with a little of everything: 12 events and a snapshot, two users, audit rows, a revoked
-- token, two report jobs, the read model caught up. SQLite's .dump of it, made once, kept.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE events (
	seq BIGINT NOT NULL, 
	source VARCHAR(200) NOT NULL, 
	event_id VARCHAR(64) NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	time DATETIME NOT NULL, 
	borough VARCHAR(40), 
	bcu VARCHAR(4), 
	recorded_at DATETIME NOT NULL, 
	body TEXT NOT NULL, 
	incident_id VARCHAR(64), 
	unit_id VARCHAR(64), 
	PRIMARY KEY (seq), 
	CONSTRAINT uq_events_source_id UNIQUE (source, event_id)
);
INSERT INTO events VALUES(1,'cad-met','cad-met-1','unit.on_duty','2026-11-24 20:00:10.000000','Westminster','AW','2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-1","source":"cad-met","time":"2026-11-24T20:00:10Z","type":"unit.on_duty","data":{"unit_id":"AW-IRV-01","callsign":"AW11","unit_type":"IRV","home_bcu":"AW","lat":51.508,"lon":-0.1281}}',NULL,'AW-IRV-01');
INSERT INTO events VALUES(2,'cad-met','cad-met-2','unit.on_duty','2026-11-24 20:00:20.000000','Westminster','AW','2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-2","source":"cad-met","time":"2026-11-24T20:00:20Z","type":"unit.on_duty","data":{"unit_id":"AW-IRV-02","callsign":"AW-IRV-02","unit_type":"IRV","home_bcu":"AW","lat":51.508,"lon":-0.1281}}',NULL,'AW-IRV-02');
INSERT INTO events VALUES(3,'cad-met','cad-met-3','unit.on_duty','2026-11-24 20:00:30.000000','Camden','CN','2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-3","source":"cad-met","time":"2026-11-24T20:00:30Z","type":"unit.on_duty","data":{"unit_id":"CN-IRV-01","callsign":"CN-IRV-01","unit_type":"IRV","home_bcu":"CN","lat":51.5415,"lon":-0.1466}}',NULL,'CN-IRV-01');
INSERT INTO events VALUES(4,'cad-met','cad-met-4','incident.created','2026-11-24 20:00:40.000000','Westminster','AW','2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-4","source":"cad-met","time":"2026-11-24T20:00:40Z","type":"incident.created","data":{"incident_id":"CAD-0001","grade":"I","category":"violence","lat":51.5154,"lon":-0.1418,"reference":"CAD 0001/23MAR","address":"Oxford Street W1"}}','CAD-0001',NULL);
INSERT INTO events VALUES(5,'cad-met','cad-met-5','incident.assigned','2026-11-24 20:00:50.000000',NULL,NULL,'2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-5","source":"cad-met","time":"2026-11-24T20:00:50Z","type":"incident.assigned","data":{"incident_id":"CAD-0001","unit_id":"AW-IRV-01"}}','CAD-0001','AW-IRV-01');
INSERT INTO events VALUES(6,'cad-met','cad-met-6','incident.arrived','2026-11-24 20:01:00.000000',NULL,NULL,'2026-11-26 03:25:41.401824','{"specversion":"1.0","id":"cad-met-6","source":"cad-met","time":"2026-11-24T20:01:00Z","type":"incident.arrived","data":{"incident_id":"CAD-0001","unit_id":"AW-IRV-01"}}','CAD-0001','AW-IRV-01');
INSERT INTO events VALUES(7,'cad-met','cad-met-7','incident.created','2026-11-24 20:01:10.000000','Camden','CN','2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-7","source":"cad-met","time":"2026-11-24T20:01:10Z","type":"incident.created","data":{"incident_id":"CAD-0002","grade":"S","category":"theft","lat":51.5415,"lon":-0.1466}}','CAD-0002',NULL);
INSERT INTO events VALUES(8,'cad-met','cad-met-8','incident.assigned','2026-11-24 20:01:20.000000',NULL,NULL,'2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-8","source":"cad-met","time":"2026-11-24T20:01:20Z","type":"incident.assigned","data":{"incident_id":"CAD-0002","unit_id":"AW-IRV-02"}}','CAD-0002','AW-IRV-02');
INSERT INTO events VALUES(9,'cad-met','cad-met-9','unit.redeployed','2026-11-24 20:01:30.000000',NULL,NULL,'2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-9","source":"cad-met","time":"2026-11-24T20:01:30Z","type":"unit.redeployed","data":{"unit_id":"AW-IRV-02","bcu":"CN","reason":"demand"}}',NULL,'AW-IRV-02');
INSERT INTO events VALUES(10,'cad-met','cad-met-10','incident.noted','2026-11-24 20:01:40.000000',NULL,NULL,'2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-10","source":"cad-met","time":"2026-11-24T20:01:40Z","type":"incident.noted","data":{"incident_id":"CAD-0001","text":"caller rang back","by":"ann"}}','CAD-0001',NULL);
INSERT INTO events VALUES(11,'cad-met','cad-met-11','incident.closed','2026-11-24 20:01:50.000000',NULL,NULL,'2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-11","source":"cad-met","time":"2026-11-24T20:01:50Z","type":"incident.closed","data":{"incident_id":"CAD-0001","outcome":"resolved"}}','CAD-0001',NULL);
INSERT INTO events VALUES(12,'cad-met','cad-met-12','unit.location','2026-11-24 20:02:00.000000','Camden','CN','2026-11-26 03:25:41.406637','{"specversion":"1.0","id":"cad-met-12","source":"cad-met","time":"2026-11-24T20:02:00Z","type":"unit.location","data":{"unit_id":"CN-IRV-01","lat":51.5425,"lon":-0.1456}}',NULL,'CN-IRV-01');
CREATE TABLE snapshots (
	seq BIGINT NOT NULL, 
	taken_at DATETIME NOT NULL, 
	picture TEXT NOT NULL, 
	PRIMARY KEY (seq)
);
INSERT INTO snapshots VALUES(6,'2026-11-26 03:25:41.405886','{"seq":6,"now":"2026-11-24T20:01:00+00:00","recent":["2026-11-24T20:00:10+00:00","2026-11-24T20:00:20+00:00","2026-11-24T20:00:30+00:00","2026-11-24T20:00:40+00:00","2026-11-24T20:00:50+00:00","2026-11-24T20:01:00+00:00"],"incident_fields":["incident_id","grade","category","lat","lon","borough","bcu","created_at","summary","status","units","first_unit","assigned_at","arrived_at","closed_at","outcome","graded_history","reference","address"],"incidents":[["CAD-0001","I","violence",51.5154,-0.1418,"Westminster","AW","2026-11-24T20:00:40+00:00",null,"on_scene",["AW-IRV-01"],"AW-IRV-01","2026-11-24T20:00:50+00:00","2026-11-24T20:01:00+00:00",null,null,[["2026-11-24T20:00:40+00:00","I"]],"CAD 0001/23MAR","Oxford Street W1"]],"unit_fields":["unit_id","callsign","unit_type","home_bcu","bcu","status","lat","lon","fix_at","borough","incident_id","status_since"],"units":[["AW-IRV-01","AW11","IRV","AW","AW","on_scene",51.508,-0.1281,"2026-11-24T20:00:10+00:00","Westminster","CAD-0001","2026-11-24T20:01:00+00:00"],["AW-IRV-02","AW-IRV-02","IRV","AW","AW","available",51.508,-0.1281,"2026-11-24T20:00:20+00:00","Westminster",null,"2026-11-24T20:00:20+00:00"],["CN-IRV-01","CN-IRV-01","IRV","CN","CN","available",51.5415,-0.1466,"2026-11-24T20:00:30+00:00","Camden",null,"2026-11-24T20:00:30+00:00"]],"mutual_aid":[],"acknowledged":[]}');
CREATE TABLE users (
	username VARCHAR(64) NOT NULL, 
	password_hash TEXT NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	bcu VARCHAR(4), 
	disabled BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (username)
);
INSERT INTO users VALUES('chief','$argon2id$v=19$m=65536,t=3,p=4$tTVLf2yY59O9/biydqiRQg$3gYXrgIF9HHJ9cwtCu+gLF0FNg6f99lXqozRyuKbN4s','commander',NULL,0,'2026-11-26 03:25:41.411392');
INSERT INTO users VALUES('aw.inspector','$argon2id$v=19$m=65536,t=3,p=4$VYWyTXx4QiFBTIz/KEEK4w$YOCJ9ySbrD1a5X3ydNiroYD2Hl52a+zYqGxVe5O7zpE','inspector','AW',0,'2026-11-26 03:25:41.531861');
CREATE TABLE audit (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200), 
	role VARCHAR(16), 
	action VARCHAR(64) NOT NULL, 
	target VARCHAR(200), 
	client VARCHAR(64), 
	outcome VARCHAR(16) NOT NULL, 
	status INTEGER, 
	detail JSON, 
	PRIMARY KEY (id)
);
INSERT INTO audit VALUES(1,'2026-11-26 03:25:41.640214','chief','commander','signin',NULL,'10.0.0.5','ok',200,'{}');
INSERT INTO audit VALUES(2,'2026-11-26 03:25:41.641681','nobody',NULL,'signin',NULL,'10.0.0.9','failed',401,'{"reason": "bad credentials"}');
INSERT INTO audit VALUES(3,'2026-11-26 03:25:41.642145','chief','commander','export','incidents','10.0.0.5','ok',200,'{"format": "csv"}');
CREATE TABLE revoked_tokens (
	jti VARCHAR(64) NOT NULL, 
	username VARCHAR(64) NOT NULL, 
	expires_at DATETIME NOT NULL, 
	revoked_at DATETIME NOT NULL, 
	PRIMARY KEY (jti)
);
INSERT INTO revoked_tokens VALUES('5f1c0e7a9b3d4e21','chief','2030-01-01 00:00:00.000000','2026-03-23 09:00:00.000000');
CREATE TABLE report_jobs (
	id VARCHAR(32) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	name VARCHAR(32) NOT NULL, 
	request JSON NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	progress FLOAT NOT NULL, 
	step VARCHAR(200), 
	created_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	media_type VARCHAR(100), 
	filename VARCHAR(200), 
	body BLOB, 
	error TEXT, 
	heartbeat_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO report_jobs VALUES('81257663f62e4ff289cede9993c9e3e0','chief','incidents','{"from": "2026-03-23", "to": "2026-03-23", "format": "csv"}','done',1.0,'done','2026-11-26 03:25:41.643000','2026-11-26 03:25:41.645048','text/csv','incidents-2026-03-23.csv',X'7265666572656e63652c67726164650a4341442d312c490a',NULL,'2026-11-26 03:25:41.643002');
INSERT INTO report_jobs VALUES('94bb1cf11c404aa1b899ff26427c18dd','chief','units','{"from": "2026-03-23", "to": "2026-03-23", "format": "json"}','queued',0.0,NULL,'2026-11-26 03:25:41.645966',NULL,NULL,NULL,NULL,NULL,'2026-11-26 03:25:41.645968');
CREATE TABLE report_incidents (
	incident_id VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	initial_grade VARCHAR(1) NOT NULL, 
	grade VARCHAR(1) NOT NULL, 
	category VARCHAR(200) NOT NULL, 
	borough VARCHAR(40), 
	bcu VARCHAR(4), 
	assigned_at DATETIME, 
	arrived_at DATETIME, 
	closed_at DATETIME, 
	first_unit VARCHAR(64), 
	first_unit_home_bcu VARCHAR(4), 
	outcome VARCHAR(200), 
	reference VARCHAR(200), 
	address VARCHAR(200), 
	PRIMARY KEY (incident_id)
);
INSERT INTO report_incidents VALUES('CAD-0001','2026-11-24 20:00:40.000000','I','I','violence','Westminster','AW','2026-11-24 20:00:50.000000','2026-11-24 20:01:00.000000','2026-11-24 20:01:50.000000','AW-IRV-01','AW','resolved','CAD 0001/23MAR','Oxford Street W1');
INSERT INTO report_incidents VALUES('CAD-0002','2026-11-24 20:01:10.000000','S','S','theft','Camden','CN','2026-11-24 20:01:20.000000',NULL,NULL,'AW-IRV-02','AW',NULL,NULL,NULL);
CREATE TABLE report_unit_hours (
	hour DATETIME NOT NULL, 
	unit_id VARCHAR(64) NOT NULL, 
	bcu VARCHAR(4) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	home_bcu VARCHAR(4) NOT NULL, 
	unit_type VARCHAR(16) NOT NULL, 
	seconds FLOAT NOT NULL, 
	PRIMARY KEY (hour, unit_id, bcu, status)
);
INSERT INTO report_unit_hours VALUES('2026-11-24 20:00:00.000000','AW-IRV-01','AW','available','AW','IRV',40.0);
INSERT INTO report_unit_hours VALUES('2026-11-24 20:00:00.000000','AW-IRV-01','AW','en_route','AW','IRV',10.0);
INSERT INTO report_unit_hours VALUES('2026-11-24 20:00:00.000000','AW-IRV-02','AW','available','AW','IRV',60.0);
INSERT INTO report_unit_hours VALUES('2026-11-24 20:00:00.000000','AW-IRV-02','AW','en_route','AW','IRV',10.0);
INSERT INTO report_unit_hours VALUES('2026-11-24 20:00:00.000000','AW-IRV-01','AW','on_scene','AW','IRV',50.0);
CREATE TABLE report_redeployments (
	seq BIGINT NOT NULL, 
	at DATETIME NOT NULL, 
	unit_id VARCHAR(64) NOT NULL, 
	home_bcu VARCHAR(4) NOT NULL, 
	from_bcu VARCHAR(4) NOT NULL, 
	to_bcu VARCHAR(4) NOT NULL, 
	reason VARCHAR(200), 
	PRIMARY KEY (seq)
);
INSERT INTO report_redeployments VALUES(9,'2026-11-24 20:01:30.000000','AW-IRV-02','AW','AW','CN','demand');
CREATE TABLE report_unit_state (
	unit_id VARCHAR(64) NOT NULL, 
	unit_type VARCHAR(16) NOT NULL, 
	home_bcu VARCHAR(4) NOT NULL, 
	bcu VARCHAR(4) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	since DATETIME NOT NULL, 
	incident_id VARCHAR(64), 
	PRIMARY KEY (unit_id)
);
INSERT INTO report_unit_state VALUES('AW-IRV-01','IRV','AW','AW','available','2026-11-24 20:01:50.000000',NULL);
INSERT INTO report_unit_state VALUES('AW-IRV-02','IRV','AW','CN','en_route','2026-11-24 20:01:30.000000','CAD-0002');
INSERT INTO report_unit_state VALUES('CN-IRV-01','IRV','CN','CN','available','2026-11-24 20:00:30.000000',NULL);
CREATE TABLE report_cursor (
	id INTEGER NOT NULL, 
	seq BIGINT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO report_cursor VALUES(1,12);
CREATE INDEX ix_events_unit ON events (unit_id, seq);
CREATE INDEX ix_events_incident ON events (incident_id, seq);
CREATE INDEX ix_events_time ON events (time);
CREATE INDEX ix_audit_actor_at ON audit (actor, at);
CREATE INDEX ix_audit_at ON audit (at);
CREATE INDEX ix_revoked_tokens_expires_at ON revoked_tokens (expires_at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE INDEX ix_report_incidents_created ON report_incidents (created_at);
CREATE INDEX ix_report_redeployments_at ON report_redeployments (at);
COMMIT;
