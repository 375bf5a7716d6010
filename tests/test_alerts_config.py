"""Parsing ``[[alert]]`` tables into channels."""

import pytest

import alerts
from alerts import AlertConfigError, EmailChannel, HttpChannel, parse_channels

TOKEN = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
ENV = {
    "DINGTALK_WEBHOOK": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    "DINGTALK_SECRET": "SEC0123456789abcdefsecretvalue",
    "JIXIAO_SMTP_PASSWORD": "hunter2-smtp-password",
    "WECOM_KEY": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
}


def test_every_type_with_secrets_from_the_environment():
    channels = parse_channels(
        [
            {"type": "dingtalk", "name": "finance-robot", "url_env": "DINGTALK_WEBHOOK", "secret_env": "DINGTALK_SECRET",
             "min_severity": "warning", "regions": ["株洲市"], "rules": ["staffing_over_quota"]},
            {"type": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}"},
            {"type": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"},
            {"type": "webhook", "url": "http://127.0.0.1:9/hook", "headers": {"Authorization": "Bearer ${WECOM_KEY}"},
             "kinds": ["run_failed", "portal_down"]},
            {"type": "email", "host": "smtp.example.gov.cn", "username": "jixiao", "password_env": "JIXIAO_SMTP_PASSWORD",
             "from": "jixiao@example.gov.cn", "to": "finance@example.gov.cn"},
        ],
        env=ENV,
    )
    ding, wecom, slack, hook, mail = channels
    assert isinstance(ding, HttpChannel) and ding.name == "finance-robot"
    assert ding.url == ENV["DINGTALK_WEBHOOK"] and ding.secret == ENV["DINGTALK_SECRET"]
    assert ding.filters.min_severity == "warning" and ding.filters.regions == ("株洲市",)
    assert ding.filters.accepts("error", "湖南省株洲市芦淞区", "staffing_over_quota")
    assert not ding.filters.accepts("info", "湖南省株洲市芦淞区", "staffing_over_quota")
    assert not ding.filters.accepts("error", "湖南省长沙市", "staffing_over_quota")
    assert not ding.filters.accepts("error", "湖南省株洲市芦淞区", "project_sum")
    assert wecom.name == "wecom" and wecom.url.endswith(ENV["WECOM_KEY"])
    assert slack.type == "slack"
    assert hook.headers == (("Authorization", f"Bearer {ENV['WECOM_KEY']}"),)
    assert hook.filters.kinds == ("run_failed", "portal_down")
    assert isinstance(mail, EmailChannel)
    assert (mail.port, mail.security, mail.to, mail.password) == (587, "starttls", ("finance@example.gov.cn",),
                                                                  ENV["JIXIAO_SMTP_PASSWORD"])
    shown = repr(channels) + " ".join(c.target() for c in channels)
    for secret in (TOKEN, ENV["DINGTALK_SECRET"], ENV["JIXIAO_SMTP_PASSWORD"], ENV["WECOM_KEY"], "XXXXXXXXXXXXXXXX"):
        assert secret not in shown


def test_email_security_follows_the_port():
    base = {"type": "email", "host": "h", "from": "a@b.cn", "to": ["c@d.cn"]}
    ssl_, plain = parse_channels([{**base, "port": 465}, {**base, "security": "none", "name": "relay"}], env={})
    assert (ssl_.security, ssl_.port) == ("ssl", 465)
    assert (plain.security, plain.port) == ("none", 25)


def test_default_names_stay_stable_when_a_channel_is_appended():
    one = parse_channels([{"type": "webhook", "url": "http://127.0.0.1/a"}], env={})
    two = parse_channels([{"type": "webhook", "url": "http://127.0.0.1/a"},
                          {"type": "webhook", "url": "http://127.0.0.1/b"}], env={})
    assert [c.name for c in one] == ["webhook"]
    assert [c.name for c in two] == ["webhook", "webhook-2"]


@pytest.mark.parametrize(
    "entry, expected",
    [
        ({"type": "teams", "url": "http://x"}, '[[alert]] #1 (teams): type must be one of webhook, dingtalk, wecom, slack, email'),
        ({"type": "dingtalk", "url_env": "NOPE"}, "[[alert]] #1 (dingtalk): url_env names environment variable 'NOPE', which is not set"),
        ({"type": "wecom", "url": "https://q/send?key=${NOPE}"}, "[[alert]] #1 (wecom): url refers to ${NOPE}, which is not set"),
        ({"type": "slack", "url": "http://x", "min_serverity": "error"}, "[[alert]] #1 (slack): unknown key 'min_serverity' (did you mean 'min_severity'?)"),
        ({"type": "webhook", "url": "ftp://x"}, "[[alert]] #1 (webhook): 'url': is not an http(s) URL"),
        ({"type": "webhook", "url": "http://x", "min_severity": "fatal"}, "[[alert]] #1 (webhook): 'min_severity': Input should be 'error', 'warning' or 'info'"),
        ({"type": "webhook", "url": "http://x", "regions": "株洲市", "retries": 0}, "[[alert]] #1 (webhook): 'retries': Input should be greater than or equal to 1"),
        ({"type": "webhook", "url": "http://x", "kinds": ["digest"]}, "[[alert]] #1 (webhook): 'kinds': Input should be 'inconsistency', 'resolved', 'run_failed', 'portal_down' or 'test'"),
        ({"type": "email", "host": "h", "from": "a@b.cn"}, "[[alert]] #1 (email): to must be an e-mail address or a list of them"),
        ({"type": "email", "host": "h", "from": "a@b.cn", "to": "c@d.cn", "security": "tls"}, "[[alert]] #1 (email): 'security': Input should be 'starttls', 'ssl' or 'none'"),
        ({"type": "webhook", "url": "http://x", "template_dir": "/nonexistent/templates"}, "[[alert]] #1 (webhook): template_dir '/nonexistent/templates' is not a folder"),
        ("dingtalk", "[[alert]] #1: expected a table, got str"),
    ],
)
def test_bad_entries_are_named_clearly(entry, expected):
    with pytest.raises(AlertConfigError) as caught:
        parse_channels([entry], env={})
    assert str(caught.value) == expected


def test_duplicate_names_are_refused():
    with pytest.raises(AlertConfigError, match=r"#2 \(ops\): duplicate channel name 'ops'"):
        parse_channels([{"type": "slack", "name": "ops", "url": "http://x"},
                        {"type": "wecom", "name": "ops", "url": "http://y"}], env={})


def test_a_secret_never_appears_in_a_config_error():
    secret = "s3cr3t-value-in-env"
    with pytest.raises(AlertConfigError) as caught:
        parse_channels([{"type": "dingtalk", "url": "not-a-url-${S}"}], env={"S": secret})
    assert secret not in str(caught.value)


def test_redaction_masks_tokens_in_urls_and_known_secrets():
    text = ("POST https://oapi.dingtalk.com/robot/send?access_token=abc123def456&timestamp=1&sign=xyz%3D "
            "https://hooks.slack.com/services/T1/B2/c3 smtp://user:pw@host")
    out = alerts.redact(text)
    for secret in ("abc123def456", "xyz%3D", "T1/B2/c3", "user:pw"):
        assert secret not in out
    assert "timestamp=1" in out
    assert "custom-secret-value" not in alerts.redact("x custom-secret-value y", extra=["custom-secret-value"])
