"""Alert delivery against a real HTTP receiver and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from datetime import datetime
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import alerts
from checks.rules import RULES
from core.records import Flag
from warehouse.migrations import migrate
from warehouse.rows import flag_row
from warehouse.schema import quote

DEPT = "株洲市芦淞区人民代表大会常务委员会"
SEED_MESSAGE = "在职人数 35 人超过编制数 21 人（控制率应为 166.67%，填报 60%）"
SEED_URL = "http://www.lusong.gov.cn/xxgk/czzj/202406/t20240612_004.html"
DINGTALK_TOKEN = "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4"
DINGTALK_SECRET = "SECb7d0f1e2d3c4b5a6978899aabbccddeeff00112233"
SMTP_PASSWORD = "pw-0f9e8d7c6b5a-smtp"

# --- the warehouse tables, as the warehouse defines them ---------------------------------


def make_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con)
    return con


def add_filing(con, filing_id, department, year, region, url, status="ok", portal="hunan"):
    con.execute("DELETE FROM filings_t WHERE filing_id = ?", [filing_id])
    con.execute(
        "INSERT INTO filings_t (filing_id, source_url, portal, department, region, fiscal_year, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [filing_id, url, portal, department, region, year, status],
    )


def set_flags(con, filing_id, flags, needs_review=False):
    """Replace a filing's flags, as a reload does: (rule, severity, message, expected, actual, subject, location)."""
    con.execute("DELETE FROM inconsistencies_t WHERE filing_id = ?", [filing_id])
    for rule, severity, message, expected, actual, subject, location in flags:
        flag = Flag(rule, severity, message, printed=actual, computed=expected, subject=subject,
                    unit=RULES[rule].unit, needs_review=needs_review)
        row = {**flag_row(filing_id, flag, "run", datetime.now()), "location": location}
        con.execute(f"INSERT INTO inconsistencies_t ({', '.join(quote(k) for k in row)}) "
                    f"VALUES ({', '.join('?' for _ in row)})", list(row.values()))


SEED_004 = [
    ("staffing_over_quota", "warning", SEED_MESSAGE, 21, 35, None, "004.docx table 1 row 4"),
    ("staffing_rate_misreported", "error", "人员控制率填报 60%，按在职人数 35 人、编制数 21 人计算应为 166.67%",
     166.67, 60, None, "004.docx table 1 row 5"),
]
SEED_002 = [
    ("income_identity_mismatch", "error", "本年收入 889.68 万元 + 年初结转结余 182.01 万元 = 1071.69 万元 ≠ 全年预算数 1061.69 万元",
     1071.69, 1061.69, None, "002.docx table 2 row 3"),
]


@pytest.fixture
def db():
    con = make_db()
    add_filing(con, "f004", DEPT, 2023, "湖南省株洲市芦淞区", SEED_URL)
    set_flags(con, "f004", SEED_004)
    yield con
    con.close()


def add_changsha(con):
    add_filing(con, "f002", "长沙市开福区财政局", 2022, "湖南省长沙市开福区", "http://www.kaifu.gov.cn/t002.html")
    set_flags(con, "f002", SEED_002)


def deliveries(con):
    return con.execute(
        "SELECT channel, kind, filing_id, rule, status, attempts, last_error, sent_at, digest_id "
        "FROM alert_deliveries ORDER BY channel, kind, filing_id, rule"
    ).fetchall()


# --- a real HTTP receiver ----------------------------------------------------------------


class Receiver:
    """Records every POST; answers from ``script`` (a list of (status, body) used first), else ``default``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, object]] = []
        self.default: tuple[int, object] = (200, {"errcode": 0, "errmsg": "ok"})
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                split = urlsplit(self.path)
                status, answer = receiver.script.pop(0) if receiver.script else receiver.default
                receiver.requests.append({
                    "path": split.path, "query": parse_qs(split.query), "headers": dict(self.headers),
                    "json": json.loads(body), "status": status,
                })
                time.sleep(receiver.delay)
                payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path="/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @property
    def delivered(self) -> list[dict]:
        return [r for r in self.requests if r["status"] == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def channel(receiver, type_="webhook", **extra):
    entry = {"type": type_, "url": receiver.url(f"/{type_}"), "retry_backoff": 0.01, "retries": 3, **extra}
    return alerts.parse_channels([entry], env={})[0]


# --- a real SMTP server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.reject_with: str | None = None  # e.g. "554 5.7.1 rejected" to fail the next DATA
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        if self.reject_with:
            return self.reject_with
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=auth_data.password.decode() == SMTP_PASSWORD, handled=False)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=box.authenticate,
                            auth_require_tls=False)
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def email_channel(smtp, **extra):
    entry = {"type": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "jixiao",
             "password_env": "JIXIAO_SMTP_PASSWORD", "from": "jixiao@czj.example.gov.cn",
             "to": ["finance@czj.example.gov.cn", "audit@czj.example.gov.cn"], "retry_backoff": 0.01, "retries": 2,
             **extra}
    return alerts.parse_channels([entry], env={"JIXIAO_SMTP_PASSWORD": SMTP_PASSWORD})[0]


# --- digests -------------------------------------------------------------------------------


def test_webhook_gets_the_seed_inconsistency_once(db, receiver):
    hook = channel(receiver)
    report = alerts.dispatch(db, [hook], "run-1")
    assert report.ok and [(c.channel, c.status, c.new) for c in report.channels] == [("webhook", "sent", 2)]
    assert len(receiver.requests) == 1
    body = receiver.requests[0]["json"]
    assert body["kind"] == "digest" and body["run_id"] == "run-1"
    assert body["title"] == "绩效自评报告核查：新发现 2 项问题"
    text = body["text"]
    for expected in (DEPT, "2023年度", "staffing_over_quota", "实际在职人数超过编制数", SEED_MESSAGE,
                     "实际在职人数 **35** 人，编制数（上限） **21** 人", "004.docx table 1 row 4", f"[查看原文]({SEED_URL})",
                     "填报控制率 **60**%，按人数计算应为 **166.67**%"):
        assert expected in text
    [filing] = body["filings"]
    assert (filing["department"], filing["fiscal_year"], filing["source_url"]) == (DEPT, 2023, SEED_URL)
    over = next(f for f in filing["flags"] if f["rule"] == "staffing_over_quota")
    assert (over["expected"], over["actual"], over["message"]) == (21, 35, SEED_MESSAGE)
    # The error sorts before the warning within a filing.
    assert [f["rule"] for f in filing["flags"]] == ["staffing_rate_misreported", "staffing_over_quota"]

    rows = deliveries(db)
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("inconsistency", "staffing_over_quota", "sent", 1), ("inconsistency", "staffing_rate_misreported", "sent", 1),
    ]
    assert all(r[7] is not None and r[8] == report.channels[0].digest_id for r in rows)

    again = alerts.dispatch(db, [hook], "run-2")
    assert [c.status for c in again.channels] == ["nothing new"]
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("tz,label", [("Asia/Shanghai", "北京时间"), ("America/New_York", "America/New_York")])
def test_the_footer_shows_the_configured_timezone_not_the_servers_clock(db, receiver, tz, label):
    import re
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    hook = alerts.parse_channels([{"type": "webhook", "url": receiver.url("/hook")}], env={}, timezone=tz)[0]
    alerts.dispatch(db, [hook], "run-1")
    [stamp] = re.findall(rf"运行 run-1 · (\d{{4}}-\d\d-\d\d \d\d:\d\d) {label}", receiver.requests[0]["json"]["text"])
    behind = datetime.now(ZoneInfo(tz)).replace(tzinfo=None) - datetime.strptime(stamp, "%Y-%m-%d %H:%M")
    assert timedelta(0) <= behind < timedelta(minutes=5)  # that zone's clock (the two are 12 h or more apart)


def test_one_digest_per_channel_per_run_and_only_what_is_new(db, receiver):
    add_changsha(db)
    hook, ding = channel(receiver), channel(receiver, "dingtalk")
    alerts.dispatch(db, [hook, ding], "run-1")
    assert sorted(r["path"] for r in receiver.requests) == ["/dingtalk", "/webhook"]
    for request in receiver.requests:
        text = request["json"]["text"] if request["path"] == "/webhook" else request["json"]["markdown"]["text"]
        assert DEPT in text and "长沙市开福区财政局" in text and "1071.69" in text

    # The next night one new flag appears beside the known ones: only it is sent.
    set_flags(db, "f002", SEED_002 + [("score_exceeds_max", "error", "资金执行率得分 98 分超过分值 10 分", 10, 98,
                                       "资金执行率", "002.docx table 3 row 7")])
    alerts.dispatch(db, [hook, ding], "run-2")
    assert len(receiver.requests) == 4
    latest = [r for r in receiver.requests[2:] if r["path"] == "/webhook"][0]["json"]
    assert latest["title"] == "绩效自评报告核查：新发现 1 项问题"
    assert "score_exceeds_max" in latest["text"] and "资金执行率" in latest["text"]
    assert "staffing_over_quota" not in latest["text"] and "income_identity_mismatch" not in latest["text"]


def test_a_republished_filing_with_the_same_numbers_is_not_news(db, receiver):
    hook = channel(receiver)
    alerts.dispatch(db, [hook], "run-1")
    # Reloaded: new detection time, reworded message, the cell moved; same filing, rule, numbers.
    set_flags(db, "f004", [(r, s, m + "。", e, a, subj, "004.pdf p.2 table 1") for r, s, m, e, a, subj, _ in SEED_004])
    assert alerts.dispatch(db, [hook], "run-2").channels[0].status == "nothing new"
    # Changed numbers are news.
    set_flags(db, "f004", [("staffing_over_quota", "warning", "在职人数 36 人超过编制数 21 人", 21, 36, None, None)])
    changed = alerts.dispatch(db, [hook], "run-3").channels[0]
    # The old numbers of the same rule are not reported as fixed; the control-rate flag is.
    assert (changed.new, changed.resolved) == (1, 1)
    assert "staffing_over_quota" not in receiver.requests[-1]["json"]["resolved"][0]["rules"]
    assert len(receiver.requests) == 2


def test_a_receiver_failing_with_500_then_200_gets_the_alert_exactly_once(db, receiver):
    hook = channel(receiver)
    receiver.default = (500, "upstream broke")
    first = alerts.dispatch(db, [hook], "run-1")
    [result] = first.channels
    assert not first.ok and result.status == "pending" and result.attempts == 3
    assert result.error == "HTTP 500: upstream broke"
    assert len(receiver.requests) == 3  # retried with backoff within the run
    assert {(r[4], r[5], r[6]) for r in deliveries(db)} == {("pending", 3, "HTTP 500: upstream broke")}

    receiver.default = (200, "ok")
    second = alerts.dispatch(db, [hook], "run-2")
    assert second.ok and second.channels[0].status == "sent" and second.channels[0].new == 2
    assert len(receiver.delivered) == 1 and SEED_MESSAGE in receiver.delivered[0]["json"]["text"]
    assert {(r[4], r[5]) for r in deliveries(db)} == {("sent", 4)}
    assert len(deliveries(db)) == 2  # the pending rows were settled, not duplicated

    alerts.dispatch(db, [hook], "run-3")
    assert len(receiver.delivered) == 1


def test_a_transient_failure_is_retried_within_the_run(db, receiver):
    receiver.script = [(503, "busy")]
    [result] = alerts.dispatch(db, [channel(receiver)], "run-1").channels
    assert (result.status, result.attempts) == ("sent", 2)
    assert len(receiver.delivered) == 1


def test_a_timeout_keeps_the_alert_pending(db, receiver):
    receiver.delay = 0.5
    [result] = alerts.dispatch(db, [channel(receiver, timeout=0.1, retries=2)], "run-1").channels
    assert result.status == "pending" and result.error == "timeout after 0.1 s"
    receiver.delay = 0
    assert alerts.dispatch(db, [channel(receiver)], "run-2").channels[0].status == "sent"


def test_dingtalk_signs_and_an_errcode_is_a_failure(db, receiver):
    ding = channel(receiver, "dingtalk", url=receiver.url(f"/robot/send?access_token={DINGTALK_TOKEN}"),
                   secret=DINGTALK_SECRET)
    receiver.default = (200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"})
    [failed] = alerts.dispatch(db, [ding], "run-1").channels
    # A refused signature will not fix itself within the run: one attempt, kept for the next run.
    assert (failed.status, failed.attempts) == ("pending", 1) and failed.error.startswith("errcode 310000")

    receiver.default = (200, {"errcode": 0, "errmsg": "ok"})
    assert alerts.dispatch(db, [ding], "run-2").channels[0].status == "sent"
    request = receiver.requests[-1]
    query = {k: v[0] for k, v in request["query"].items()}
    assert query["access_token"] == DINGTALK_TOKEN
    timestamp = int(query["timestamp"])
    assert abs(timestamp - time.time() * 1000) < 60_000
    string_to_sign = f"{timestamp}\n{DINGTALK_SECRET}".encode()
    expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), string_to_sign, hashlib.sha256).digest()).decode()
    assert query["sign"] == expected
    body = request["json"]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "绩效自评报告核查：新发现 2 项问题"
    assert SEED_MESSAGE in body["markdown"]["text"] and "jixiao" in body["markdown"]["text"]


def test_wecom_and_slack_payloads_and_the_wecom_size_limit(db, receiver):
    wecom, slack = channel(receiver, "wecom"), channel(receiver, "slack")
    alerts.dispatch(db, [wecom, slack], "run-1")
    by_path = {r["path"]: r["json"] for r in receiver.requests}
    assert by_path["/wecom"]["msgtype"] == "markdown" and SEED_MESSAGE in by_path["/wecom"]["markdown"]["content"]
    slack_text = by_path["/slack"]["text"]
    assert f"<{SEED_URL}|查看原文>" in slack_text and "实际在职人数 *35* 人，编制数（上限） *21* 人" in slack_text

    # A first night over many filings must still fit WeCom's 4096-byte markdown limit.
    for n in range(60):
        add_filing(db, f"g{n}", f"株洲市第{n}单位", 2023, "湖南省株洲市", f"http://x.gov.cn/{n}.html")
        set_flags(db, f"g{n}", [("vehicles_sum", "error", "公务用车经费 12.5 万元 ≠ 购置 3 + 运行维护 8 = 11 万元", 11, 12.5,
                                 None, f"g{n}.docx table 2 row 6")])
    [result] = alerts.dispatch(db, [wecom], "run-2").channels
    content = receiver.requests[-1]["json"]["markdown"]["content"]
    assert result.status == "sent" and result.new == 60
    assert len(content.encode()) <= 4096 and "项未列出" in content
    assert alerts.dispatch(db, [wecom], "run-3").channels[0].status == "nothing new"


def test_filters_by_severity_region_and_rule(db, receiver):
    add_changsha(db)
    errors = channel(receiver, name="errors", min_severity="error")
    zhuzhou = channel(receiver, name="zhuzhou", regions=["株洲市"])
    staffing = channel(receiver, name="staffing", rules=["staffing_over_quota"])
    nothing = channel(receiver, name="nothing", rules=["three_public_sum"])
    report = alerts.dispatch(db, [errors, zhuzhou, staffing, nothing], "run-1")
    assert {c.channel: (c.status, c.new) for c in report.channels} == {
        "errors": ("sent", 2), "zhuzhou": ("sent", 2), "staffing": ("sent", 1), "nothing": ("nothing new", 0),
    }
    assert len(receiver.requests) == 3
    rules = {(r[0], r[3]) for r in deliveries(db)}
    assert rules == {
        ("errors", "staffing_rate_misreported"), ("errors", "income_identity_mismatch"),
        ("zhuzhou", "staffing_over_quota"), ("zhuzhou", "staffing_rate_misreported"),
        ("staffing", "staffing_over_quota"),
    }


def test_a_flag_stored_for_review_is_sent_by_no_channel():
    """The one decision both dispatch and the accuracy benchmark's alerted figures call."""
    certain = Flag("staffing_over_quota", "warning", SEED_MESSAGE)
    review = Flag("staffing_over_quota", "info", SEED_MESSAGE, needs_review=True)
    everything, warnings = alerts.Filters(min_severity="info"), alerts.Filters(min_severity="warning")
    assert everything.sends(certain) and warnings.sends(certain)
    assert not everything.sends(review) and not warnings.sends(review)
    assert not warnings.sends(Flag("missing_form", "info", "缺少基础数据表"))
    assert not alerts.Filters(regions=("株洲市",)).sends(certain, "湖南省长沙市")


def test_a_corrected_filing_is_reported_resolved_once(db, receiver):
    hook = channel(receiver)
    alerts.dispatch(db, [hook], "run-1")

    # A failed re-extraction also loses the flags: that is not a correction.
    add_filing(db, "f004", DEPT, 2023, "湖南省株洲市芦淞区", SEED_URL, status="failed")
    set_flags(db, "f004", [])
    assert alerts.dispatch(db, [hook], "run-2").channels[0].status == "nothing new"

    add_filing(db, "f004", DEPT, 2023, "湖南省株洲市芦淞区", SEED_URL, status="ok")
    set_flags(db, "f004", SEED_004[:1])  # the control rate was corrected, the overstaffing is real
    [result] = alerts.dispatch(db, [hook], "run-3").channels
    assert (result.status, result.new, result.resolved) == ("sent", 0, 1)
    body = receiver.requests[-1]["json"]
    assert body["title"] == "绩效自评报告核查：1 项问题已更正"
    assert "已更正" in body["text"] and "staffing_rate_misreported" in body["text"]
    assert "staffing_over_quota" not in body["text"]
    assert body["resolved"] == [{"filing_id": "f004", "department": DEPT, "fiscal_year": 2023, "source_url": SEED_URL,
                                 "link": SEED_URL, "rules": ["staffing_rate_misreported"]}]
    assert alerts.dispatch(db, [hook], "run-4").channels[0].status == "nothing new"

    # If the mistake comes back it is news again.
    set_flags(db, "f004", SEED_004)
    assert alerts.dispatch(db, [hook], "run-5").channels[0].new == 1
    assert len(receiver.requests) == 3


def test_a_flag_stored_for_review_is_never_alerted(db, receiver):
    hook = channel(receiver)
    set_flags(db, "f004", SEED_004, needs_review=True)
    assert alerts.dispatch(db, [hook], "run-1").channels[0].status == "nothing new"
    assert receiver.requests == [] and deliveries(db) == []
    set_flags(db, "f004", SEED_004[:1])  # the same flag, now on certain inputs
    assert alerts.dispatch(db, [hook], "run-2").channels[0].new == 1


def test_email_digest_is_html_and_text(db, smtp):
    mail = email_channel(smtp)
    [result] = alerts.dispatch(db, [mail], "run-1").channels
    assert result.status == "sent", result.error
    assert smtp.logins == [("jixiao", SMTP_PASSWORD)]
    [message] = smtp.messages
    assert smtp.envelopes[0].rcpt_tos == ["finance@czj.example.gov.cn", "audit@czj.example.gov.cn"]
    assert message["Subject"] == "绩效自评报告核查：新发现 2 项问题"
    assert message["From"] == "jixiao@czj.example.gov.cn"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert DEPT in part and SEED_MESSAGE in part and "staffing_over_quota" in part and SEED_URL in part
    assert "实际在职人数 35 人，编制数（上限） 21 人" in text
    assert '<td align="right">实际在职人数<br>35 人</td><td align="right">编制数（上限）<br>21 人</td>' in html
    assert alerts.dispatch(db, [mail], "run-2").channels[0].status == "nothing new"
    assert len(smtp.messages) == 1


def test_an_smtp_rejection_is_kept_and_delivered_later_once(db, smtp):
    mail = email_channel(smtp)
    smtp.reject_with = "451 4.3.0 mailbox busy"
    [result] = alerts.dispatch(db, [mail], "run-1").channels
    assert (result.status, result.attempts) == ("pending", 2) and result.error == "SMTP 451: 4.3.0 mailbox busy"
    smtp.reject_with = None
    assert alerts.dispatch(db, [mail], "run-2").channels[0].status == "sent"
    alerts.dispatch(db, [mail], "run-3")
    assert len(smtp.messages) == 1


def test_a_wrong_smtp_password_is_reported_without_the_password(db, smtp):
    mail = alerts.parse_channels([{
        "type": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "jixiao",
        "password": "${PW}", "from": "a@b.cn", "to": "c@d.cn", "retry_backoff": 0.01,
    }], env={"PW": "wrong-password-123"})[0]
    [result] = alerts.dispatch(db, [mail], "run-1").channels
    assert result.status == "pending" and result.attempts == 1 and result.error.startswith("SMTP 535")
    assert "wrong-password-123" not in result.error


def test_secrets_stay_out_of_the_database_and_the_logs(db, receiver, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    ding = alerts.parse_channels([{
        "type": "dingtalk", "url_env": "DINGTALK_WEBHOOK", "secret_env": "DINGTALK_SECRET", "retries": 2,
        "retry_backoff": 0.01,
    }], env={"DINGTALK_WEBHOOK": receiver.url(f"/robot/send?access_token={DINGTALK_TOKEN}"),
             "DINGTALK_SECRET": DINGTALK_SECRET})[0]
    mail = email_channel(smtp)
    dead = alerts.parse_channels([{"type": "wecom", "url": f"http://127.0.0.1:{free_port()}/send?key=${{K}}",
                                   "retries": 2, "retry_backoff": 0.01}], env={"K": "wecom-key-0a1b2c3d4e"})[0]
    receiver.default = (500, f"echoing your token back: {DINGTALK_TOKEN}")
    smtp.reject_with = "451 try later"
    first = alerts.dispatch(db, [ding, mail, dead], "run-1")
    receiver.default = (200, {"errcode": 0, "errmsg": "ok"})
    smtp.reject_with = None
    second = alerts.dispatch(db, [ding, mail, dead], "run-2")
    alerts.notify_run_failed(db, [ding, dead], "run-3", RuntimeError(f"cannot post to {ding.url}"))
    alerts.send_test([ding, mail, dead], db)
    assert [c.status for c in second.channels] == ["sent", "sent", "pending"]

    everything = "\n".join([
        caplog.text, first.summary(), second.summary(), repr([ding, mail, dead]),
        str(db.execute("SELECT * FROM alert_deliveries").fetchall()),
        str(alerts.list_deliveries(db, 100)),
    ])
    assert "HTTP 500" in everything and "SMTP 451" in everything and "ConnectError" in everything
    for secret in (DINGTALK_TOKEN, DINGTALK_SECRET, SMTP_PASSWORD, "wecom-key-0a1b2c3d4e", ding.url):
        assert secret not in everything
    sign = {k: v[0] for k, v in receiver.requests[-1]["query"].items()}["sign"]
    assert sign not in everything


def test_a_broken_user_template_keeps_the_alert_pending(db, receiver, tmp_path):
    (tmp_path / "digest.md.j2").write_text(
        "{% set title = '芦淞区核查' %}{% for f in shown %}{{ f.department }}：{% for x in f.flags %}"
        "{{ x.rule }}={{ x.actual|num }}/{{ x.expected|num }} {% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    custom = channel(receiver, template_dir=str(tmp_path))
    alerts.dispatch(db, [custom], "run-1")
    body = receiver.requests[0]["json"]
    assert body["title"] == "芦淞区核查"
    assert body["text"] == f"{DEPT}：staffing_rate_misreported=60/166.67 staffing_over_quota=35/21\n"

    (tmp_path / "digest.md.j2").write_text("{{ no_such_field.x }}", encoding="utf-8")
    alerts.render.environment.cache_clear()
    add_changsha(db)
    [result] = alerts.dispatch(db, [custom], "run-2").channels
    assert result.status == "pending" and "cannot render message: UndefinedError" in result.error
    assert len(receiver.requests) == 1


# --- notices, test messages, listing ---------------------------------------------------------


def test_run_failure_and_portal_down_are_notified_once(db, receiver, smtp):
    hook, mail = channel(receiver), email_channel(smtp)
    only_digests = channel(receiver, name="digests-only", kinds=["inconsistency"])
    results = alerts.notify_run_failed(db, [hook, mail, only_digests], "run-9", TimeoutError("portal listing hung"))
    assert [r.status for r in results] == ["sent", "sent", "skipped"]
    assert receiver.requests[0]["json"]["kind"] == "run_failed"
    assert "portal listing hung" in receiver.requests[0]["json"]["text"]
    assert smtp.messages[0]["Subject"] == "jixiao 运行失败：run-9"
    assert [r.status for r in alerts.notify_run_failed(db, [hook], "run-9", "again")] == ["skipped"]

    alerts.notify_portal_down(db, [hook], "长沙市财政局", 3, error="ConnectTimeout")
    body = receiver.requests[-1]["json"]
    assert body["title"] == "jixiao 门户无法访问：长沙市财政局（连续 3 晚）" and "ConnectTimeout" in body["text"]
    assert len(receiver.requests) == 2

    receiver.default = (502, "bad gateway")
    [down] = alerts.notify_portal_down(db, [hook], "长沙市财政局", 4)
    assert down.status == "failed" and down.error == "HTTP 502: bad gateway"
    statuses = db.execute("SELECT kind, status FROM alert_deliveries ORDER BY created_at").fetchall()
    assert statuses == [("run_failed", "sent"), ("run_failed", "sent"), ("portal_down", "sent"),
                        ("portal_down", "failed")]


def test_consecutive_failures_counts_the_latest_streak():
    assert alerts.consecutive_failures([]) == 0
    assert alerts.consecutive_failures(["failed", "ok", "failed", "unreachable", "failed"]) == 3
    assert alerts.consecutive_failures([False, False, True]) == 0
    assert alerts.consecutive_failures(["ok", "not_modified", None, "timeout"]) == 2


def test_send_test_reports_each_channel(receiver, smtp):
    dead_port = free_port()
    channels = alerts.parse_channels([
        {"type": "dingtalk", "name": "robot", "url": receiver.url("/robot/send?access_token=abcdef123456")},
        {"type": "email", "name": "mail", "host": "127.0.0.1", "port": smtp.port, "security": "none",
         "from": "a@b.cn", "to": "c@d.cn"},
        {"type": "slack", "name": "gone", "url": f"http://127.0.0.1:{dead_port}/services/T1/B2/secretpath",
         "retry_backoff": 0.01},
    ], env={})
    outcome = alerts.send_test(channels)
    assert [(name, ok) for name, ok, _ in outcome] == [("robot", True), ("mail", True), ("gone", False)]
    assert outcome[0][2] == f"delivered to dingtalk http://127.0.0.1:{receiver.server.server_address[1]}/…"
    assert outcome[2][2].startswith(f"slack http://127.0.0.1:{dead_port}/…: connection failed: ConnectError")
    assert "secretpath" not in outcome[2][2] and "abcdef123456" not in outcome[0][2]
    assert receiver.requests[0]["json"]["markdown"]["title"] == "jixiao 告警测试"
    assert smtp.messages[0]["Subject"] == "jixiao 告警测试"


def test_list_deliveries_newest_first(db, receiver):
    hook = channel(receiver)
    alerts.dispatch(db, [hook], "run-1")
    alerts.send_test([hook], db)
    listed = alerts.list_deliveries(db, limit=2)
    assert [d.kind for d in listed] == ["test", "inconsistency"]
    assert listed[1].filing_id == "f004" and listed[1].status == "sent" and listed[1].digest_id.startswith("run-1:")
    assert len(alerts.list_deliveries(db, limit=10)) == 3
    assert alerts.list_deliveries(db, 10, status="pending") == []


# --- through the real warehouse and the real checks ---------------------------------------------


def test_seed_004_flags_through_checks_and_the_warehouse(tmp_path, receiver):
    from checks import run_checks
    from core.records import CanonicalReport, Document, Fact, Filing, FilingResult
    from warehouse import Warehouse

    def fact(item, value, raw, label):
        return Fact("basic_data", None, item, None, value, "人" if label != "控制率" else "%", label, 100.0, "exact",
                    f"附件2.docx table 1 {label}", raw)

    report = CanonicalReport(
        facts=[fact("staffing.authorized", 21.0, "21", "编制数"), fact("staffing.actual", 35.0, "35", "在职人数"),
               fact("staffing.control_rate", 60.0, "60%", "控制率")],
        forms={"basic_data", "overall_eval"}, fiscal_year=2023, department=DEPT,
    )
    doc = tmp_path / "004.docx"
    doc.write_bytes(b"seed 004")
    filing = Filing("f004", SEED_URL, [Document.from_path(doc, source_url=SEED_URL)], portal="zhuzhou",
                    region="湖南省株洲市芦淞区")
    flags = run_checks(report)
    over = next(f for f in flags if f.rule == "staffing_over_quota")
    assert (over.expected, over.actual) == (21, 35)

    hook = channel(receiver)
    with Warehouse.open(tmp_path / "writer.duckdb") as wh:
        run_id = wh.start_run("ingest")
        wh.load_filing(FilingResult(filing, "ok", report=report, flags=flags), run_id, "p1")
        report1 = alerts.dispatch(wh.con, [hook], run_id)
        assert report1.ok and report1.channels[0].new == len({(f.rule, f.expected, f.actual) for f in flags})
        run2 = wh.start_run("ingest")
        wh.load_filing(FilingResult(filing, "ok", report=report, flags=flags), run2, "p1")
        assert alerts.dispatch(wh.con, [hook], run2).channels[0].status == "nothing new"
        shown = wh.con.execute(
            "SELECT department, fiscal_year, rule, status FROM alerts WHERE rule = 'staffing_over_quota'"
        ).fetchall()
    assert shown == [(DEPT, 2023, "staffing_over_quota", "sent")]
    [request] = receiver.requests
    text = request["json"]["text"]
    assert DEPT in text and over.message in text and "实际在职人数 **35** 人，编制数（上限） **21** 人" in text


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, as a private relay would have."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def test_starttls_with_login_over_tls_only(db, certificate):
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    # auth_require_tls (the default): the password is only accepted once STARTTLS is up.
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=box.authenticate,
                            tls_context=context, require_starttls=True)
    controller.start()
    try:
        box.port = controller.port
        untrusted = email_channel(box, security="starttls", name="untrusted")
        [refused] = alerts.dispatch(db, [untrusted], "run-1").channels
        assert refused.status == "pending" and refused.error.startswith("SMTP TLS error: CERTIFICATE_VERIFY_FAILED")
        assert box.logins == []

        trusted = email_channel(box, security="starttls", ca_file=str(cert))
        [result] = alerts.dispatch(db, [trusted], "run-1").channels
        assert result.status == "sent", result.error
        assert box.logins == [("jixiao", SMTP_PASSWORD)]
        assert box.messages[0]["Subject"] == "绩效自评报告核查：新发现 2 项问题"
    finally:
        controller.stop()


def test_the_failed_run_hook_notifies_and_records(db, receiver):
    from contextlib import contextmanager
    from types import SimpleNamespace

    @contextmanager
    def open_db():
        yield db

    @contextmanager
    def locked():
        raise RuntimeError("Could not set lock on file writer.duckdb")
        yield

    hook = alerts.failed_run_hook(lambda: [channel(receiver)], open_db)
    # The arguments Prefect passes to on_failure hooks: flow, flow_run, state.
    hook(None, SimpleNamespace(name="nightly-2024-06-12", id="6f1c"), SimpleNamespace(message="Flow run failed: boom"))
    hook(None, SimpleNamespace(name="nightly-2024-06-12", id="6f1c"), SimpleNamespace(message="Flow run failed: boom"))
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["json"]["title"] == "jixiao 运行失败：nightly-2024-06-12"
    assert "Flow run failed: boom" in receiver.requests[0]["json"]["text"]
    assert db.execute("SELECT kind, status FROM alert_deliveries").fetchall() == [("run_failed", "sent")]

    alerts.failed_run_hook(lambda: [channel(receiver)], locked)(
        None, SimpleNamespace(name="nightly-2024-06-13"), SimpleNamespace(message="database locked"))
    assert len(receiver.requests) == 2 and "database locked" in receiver.requests[1]["json"]["text"]
