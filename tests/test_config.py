from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from core.config import ConfigError, PortalConfig, load_config, parse_config, portal_from_arg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "jixiao.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jixiao.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_with_defaults():
    config = load_config(EXAMPLE)
    assert config.portals == ()
    assert config.schedule.cron == "0 2 * * *" and config.schedule.timezone == "Asia/Shanghai"
    assert "jixiao/" in config.crawler.user_agent and "https://example.org/jixiao" in config.crawler.user_agent
    assert config.crawler.max_download_bytes == 100 * 1024 * 1024


def test_example_portals_are_valid_when_uncommented(monkeypatch):
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(r"^# (\[\[(?:portal|alert)\]\]|\[mapping\]|[a-z_]+ = .*)$", r"\1", text, flags=re.MULTILINE)
    data = tomllib.loads(uncommented)
    monkeypatch.setenv("WECOM_ROBOT_KEY", "k3y")
    config = parse_config(data)
    names = [p.name for p in config.portals]
    assert "changsha-czj" in names and "yueyang-fgw" in names
    yueyang = config.portal("yueyang-fgw")
    assert yueyang.platform == "numeric"
    assert yueyang.allowed_hosts == ("fgw.yueyang.gov.cn", "www.yueyang.gov.cn")
    assert config.portal("changsha-czj").allowed_hosts == ("www.changsha.gov.cn",)
    assert config.portal("guzhang-czxx").rate_limit == 0.5
    assert config.vocabulary == Path("my-labels.toml")
    import alerts

    env = {"DINGTALK_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=t", "DINGTALK_SECRET": "SECx",
           "JIXIAO_SMTP_PASSWORD": "s3cret"}
    channels = alerts.parse_channels(list(config.alerts_raw), env=env)
    assert [c.type for c in channels] == ["dingtalk", "wecom", "email", "webhook"]


def test_portal_defaults(tmp_path):
    config = load_config(write(tmp_path, '[[portal]]\nname = "a"\nstart_urls = ["http://127.0.0.1:8080/x/index.html"]\n'))
    [portal] = config.portals
    assert portal.allowed_hosts == ("127.0.0.1:8080",)
    assert (portal.platform, portal.rate_limit, portal.concurrency, portal.max_pages) == ("auto", 1.0, 1, 20)


def test_env_references_expand_and_missing_ones_are_named(tmp_path):
    text = '[crawler]\ncontact = "${CONTACT}"\n[[alert]]\nkind = "webhook"\nurl = "${HOOK:-https://x.invalid/}"\n'
    config = parse_config(tomllib.loads(text), environ={"CONTACT": "mailto:ops@example.org"})
    assert "mailto:ops@example.org" in config.crawler.user_agent
    assert config.alerts_raw == ({"kind": "webhook", "url": "https://x.invalid/"},)
    with pytest.raises(ConfigError, match=r"crawler: contact refers to \$\{CONTACT\}, which is not set"):
        parse_config(tomllib.loads(text), environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[portal]]\nname = "a"\n', r"\[\[portal\]\] #1 \(a\): 'start_urls'"),
        ('[[portal]]\nname = "a"\nstart_urls = ["ftp://x/"]\n', r"#1 \(a\).*not an http\(s\) URL"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nrate_limit = 0\n', r"\(a\): 'rate_limit' must be positive"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nplatform = "wordpress"\n', r"'platform' must be one of"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nmax_page = 3\n', r"unknown key\(s\) max_page"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\n[[portal]]\nname = "a"\nstart_urls = ["http://y/"]\n',
         r"names must be unique, repeated: a"),
        ('[crawler]\nretries = "three"\n', r"\[crawler\]: 'retries' must be an integer"),
        ('[crawler]\ncontact = "me"\n', r"'contact' must be a URL"),
        ('[crawler]\nrecheck_days = -1\n', r"'recheck_days' must be ≥ 0"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nreport_column = "yes"\n', r"'report_column' must be true"),
        ('[schedule]\ncron = "nightly"\n', r"'cron' must be a cron expression"),
        ('[schedule]\ncron = "99 2 * * *"\n', r"'cron' must be a cron expression"),
        ('[schedule]\ntimezone = "Mars/Base"\n', r"not an IANA time zone"),
        ('[portals]\nname = "a"\n', r"unknown section\(s\) portals"),
    ],
)
def test_bad_files_say_what_and_where(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[portal]\n"))


def test_recheck_days_and_report_column(tmp_path):
    text = '[crawler]\nrecheck_days = 0\n[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nreport_column = true\n'
    config = load_config(write(tmp_path, text))
    assert config.crawler.recheck_days == 0  # every night, by conditional GET
    assert config.portals[0].report_column is True
    assert load_config(EXAMPLE).crawler.recheck_days == 7


def test_portal_from_arg():
    portal = portal_from_arg("yy-fgw=http://fgw.yueyang.gov.cn/8739/8740/default.htm")
    assert portal == PortalConfig("yy-fgw", ("http://fgw.yueyang.gov.cn/8739/8740/default.htm",))
    assert portal.allowed_hosts == ("fgw.yueyang.gov.cn",)
    assert portal_from_arg("http://127.0.0.1:8000/a/").name == "127.0.0.1"
    with pytest.raises(ConfigError, match="not an http"):
        portal_from_arg("x=file:///etc/passwd")
    with pytest.raises(ConfigError, match="may hold only"):
        portal_from_arg("a b=http://x/")
