"""Write PgBouncer's configuration for `STACK_PGBOUNCER=1 make stack` and print the
DATABASE_URL that goes through it:

    python bin/pgbouncer_config.py <direct DATABASE_URL> <folder> <port>

Transaction pooling (a server connection is lent for one transaction; the settings disable
what that breaks, DATABASE_POOLER=pgbouncer), SCRAM between clients and PgBouncer, and the
database's own credentials from the URL to reach PostgreSQL. Loopback only.
"""

import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit


def main(direct_url: str, folder: str, port: str) -> str:
    url = urlsplit(direct_url)
    user, password = unquote(url.username or ""), unquote(url.password or "")
    here = Path(folder).resolve()
    (here / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (here / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={url.hostname or '127.0.0.1'} port={url.port or 5432}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                f"auth_file = {here / 'userlist.txt'}",
                "pool_mode = transaction",
                "max_client_conn = 2000",
                # Server connections per database and user: what PostgreSQL actually holds,
                # whatever the number of web processes and workers above.
                "default_pool_size = 20",
                "ignore_startup_parameters = extra_float_digits,options",
                "",
            ]
        )
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (here / name).chmod(0o644)
    return urlunsplit(url._replace(netloc=f"{url.username}:{url.password}@127.0.0.1:{port}"))


if __name__ == "__main__":
    print(main(*sys.argv[1:4]))
