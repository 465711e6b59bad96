MESSAGE = 'the first part of a message that is long, ' 'and the second part of it, which makes it too long'
JOINED = 'a' + 'b' + 'c'
PREFIXED = U'upper prefix' + R'raw \d' + B'bytes'.decode()
ESCAPED = 'it\'s "quoted"'
EMPTY = ''


def request(self) -> None:
    _path = "v2/monitoring/metrics/load_balancer/frontend_tls_connections_exceeding_rate_limit"
    _path = "v2/monitoring/metrics/load_balancer/frontend_tls_connections_exceeding_limit"
