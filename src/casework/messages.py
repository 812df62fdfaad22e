"""What people read when something goes wrong, in Chinese (default) and English."""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, tuple[str, str]] = {
    # cases
    "case_not_found": ("找不到该整改事项", "Case not found"),
    "stale_version": (
        "该事项已被他人修改(当前版本 {current}),请刷新后重试",
        "The case was changed by someone else (now version {current}); reload and try again",
    ),
    "event_not_allowed": (
        "当前状态“{state_label}”下不能执行“{event_label}”",
        "Event '{event}' is not allowed in state '{state}'",
    ),
    "role_not_allowed": (
        "您的角色不能对该事项执行“{event_label}”",
        "Your role may not fire '{event}' on this case",
    ),
    "missing_fields": ("缺少必填项:{fields}", "Missing required fields: {fields}"),
    "missing_evidence": ("缺少佐证资料:{kinds}", "Missing evidence of kind: {kinds}"),
    "separation_of_duties": (
        "提交佐证资料的人不能验收同一事项",
        "Whoever submitted the evidence may not verify the same case",
    ),
    "invalid_field": ("字段“{field}”无效:{reason}", "Invalid field '{field}': {reason}"),
    "cannot_open_case": (
        "您不能在该单位下登记问题",
        "You may not open a case for this unit",
    ),
    # generic references
    "unit_not_found": ("找不到单位 {ref}", "Unit {ref} not found"),
    "user_not_found": ("找不到用户 {ref}", "User {ref} not found"),
    "campaign_not_found": ("找不到排查整改行动 {ref}", "Campaign {ref} not found"),
    "item_not_found": ("找不到排查项 {ref}", "Inspection item {ref} not found"),
    "workflow_not_found": ("找不到流程 {ref}", "Workflow {ref} not found"),
    "duplicate": ("{what}“{value}”已存在", "{what} '{value}' already exists"),
    "forbidden": ("您没有执行此操作的权限", "You are not allowed to do this"),
    # auth
    "bad_credentials": ("用户名或密码错误", "Wrong username or password"),
    "login_backoff": (
        "登录失败次数过多,请 {retry_after} 秒后再试",
        "Too many failed logins; try again in {retry_after} seconds",
    ),
    "auth_required": ("请先登录(缺少有效的访问令牌)", "Sign in first (no valid bearer token)"),
    "token_invalid": ("访问令牌无效或已过期,请重新登录", "The token is invalid or expired; sign in again"),
    # web
    "not_found": ("找不到该地址", "No such resource"),
    "method_not_allowed": ("该地址不支持此请求方法", "Method not allowed here"),
    "payload_too_large": ("请求内容过大", "The request body is too large"),
    "unsupported_media_type": ("请以 JSON 格式提交(Content-Type: application/json)",
                               "Send JSON (Content-Type: application/json)"),
    "malformed_json": ("请求内容不是有效的 JSON:{reason}", "The body is not valid JSON: {reason}"),
    "malformed_query": ("查询参数不是有效的 UTF-8 编码,请对参数做 URL 编码",
                        "The query string is not valid UTF-8; percent-encode it"),
    "validation_failed": ("提交的数据有误,请检查 details 中列出的字段",
                          "The data is invalid; see the fields listed in details"),
    "bad_cursor": ("分页游标无效,请从第一页重新开始", "The paging cursor is invalid; start from the first page"),
    "idempotency_mismatch": (
        "同一个 Idempotency-Key 已用于不同的请求内容",
        "This Idempotency-Key was already used with a different request body",
    ),
    "idempotency_in_progress": (
        "使用同一 Idempotency-Key 的请求正在处理,请稍后重试",
        "A request with this Idempotency-Key is still being processed; retry shortly",
    ),
    "internal_error": ("服务器内部错误", "Internal server error"),
}


def render(code: str, language: str, details: dict[str, Any]) -> str:
    zh, en = CATALOG.get(code, (code, code))
    template = en if language == "en" else zh
    try:
        return template.format(**details)
    except (KeyError, IndexError, ValueError):
        return template
