/// How the process writes its log lines to standard error (`logFormat`, `TRANSACT_LOG_FORMAT`): swift-log's plain
/// text for a terminal, or one JSON object per line for a log pipeline (`JSONLogHandler`).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
