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
    env = {"DINGTALK_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=t", "DINGTALK_SECRET": "SECx",
           "JIXIAO_SMTP_PASSWORD": "s3cret", "WECOM_ROBOT_KEY": "k3y"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
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

    channels = alerts.parse_channels(list(config.alerts_raw), env=env)
    assert [c.type for c in channels] == ["dingtalk", "wecom", "email", "webhook"]


def test_portal_defaults(tmp_path):
    config = load_config(write(tmp_path, '[[portal]]\nname = "a"\nstart_urls = ["http://127.0.0.1:8080/x/index.html"]\n'))
    [portal] = config.portals
    assert portal.allowed_hosts == ("127.0.0.1:8080",)
    assert (portal.platform, portal.rate_limit, portal.concurrency, portal.max_pages) == ("auto", 1.0, 1, 20)


def test_env_references_expand_and_missing_ones_are_named(tmp_path):
    text = '[crawler]\ncontact = "${CONTACT}"\n[[alert]]\ntype = "webhook"\nurl = "${HOOK:-https://x.invalid/}"\n'
    config = parse_config(tomllib.loads(text), environ={"CONTACT": "mailto:ops@example.org"})
    assert "mailto:ops@example.org" in config.crawler.user_agent
    assert config.alerts_raw == ({"type": "webhook", "url": "https://x.invalid/"},)
    with pytest.raises(ConfigError, match=r"crawler: contact refers to \$\{CONTACT\}, which is not set"):
        parse_config(tomllib.loads(text), environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[portal]]\nname = "a"\n', r"jixiao.toml:1: \[\[portal\]\] #1 \(a\): 'start_urls' is required"),
        ('[[portal]]\nname = "a"\nstart_urls = ["ftp://x/"]\n', r"jixiao.toml:3: \[\[portal\]\] #1 \(a\): 'start_urls': is not an http\(s\) URL"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nrate_limit = 0\n', r"jixiao.toml:4: \[\[portal\]\] #1 \(a\): 'rate_limit': Input should be greater than 0"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nplatform = "wordpress"\n', r"jixiao.toml:4: .*'platform': Input should be 'auto', 'trs', 'numeric' or 'hanweb'"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nmax_page = 3\n', r"jixiao.toml:4: .*unknown key 'max_page' \(did you mean 'max_pages'\?\)"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\n[[portal]]\nname = "a"\nstart_urls = ["http://y/"]\n',
         r"jixiao.toml:5: \[\[portal\]\] #2 \(a\): names must be unique, 'a' is repeated"),
        ('[crawler]\nretries = "three"\n', r"jixiao.toml:2: \[crawler\]: 'retries': Input should be a valid integer"),
        ('[crawler]\ncontact = "me"\n', r"jixiao.toml:2: \[crawler\]: 'contact': must be a URL"),
        ('[crawler]\nrecheck_days = -1\n', r"'recheck_days': Input should be greater than or equal to 0"),
        ('[[portal]]\nname = "a"\nstart_urls = ["http://x/"]\nreport_column = "yes"\n', r"jixiao.toml:4: .*'report_column': Input should be a valid boolean"),
        ('[schedule]\ncron = "nightly"\n', r"jixiao.toml:2: \[schedule\]: 'cron': must be a cron expression"),
        ('[schedule]\ncron = "99 2 * * *"\n', r"jixiao.toml:2: \[schedule\]: 'cron': must be a cron expression"),
        ('[schedule]\ntimezone = "Mars/Base"\n', r"jixiao.toml:2: \[schedule\]: 'timezone': is not an IANA time zone"),
        ('[portals]\nname = "a"\n', r"jixiao.toml:1: unknown section \[portals\]"),
        ('[crawler]\nretries = 1\n\n[[alert]]\ntype = "webhook"\nurl = "http://x/"\nmin_serverity = "error"\n',
         r"jixiao.toml:7: \[\[alert\]\] #1 \(webhook\): unknown key 'min_serverity' \(did you mean 'min_severity'\?\)"),
        ('[[alert]]\ntype = "email"\nname = "office"\nhost = "h"\nfrom = "a@b.cn"\nto = "c@d.cn"\nprot = 25\n',
         r"jixiao.toml:7: \[\[alert\]\] #1 \(office\): unknown key 'prot' \(did you mean 'port'\?\)"),
        ('[[alert]]\ntype = "teams"\nurl = "http://x/"\n', r"jixiao.toml:2: \[\[alert\]\] #1 \(teams\): type must be one of"),
        ('[[alert]]\ntype = "dingtalk"\nurl_env = "JIXIAO_TEST_UNSET"\n', r"jixiao.toml:3: .*url_env names environment"),
        ('[mapping]\nvocabluary = "v.toml"\n', r"jixiao.toml:2: \[mapping\]: unknown key 'vocabluary'"),
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
