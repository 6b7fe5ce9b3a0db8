#!/bin/sh
# The frontend's page (httpd runs /cgi-bin/index.cgi for "/"): asks the backend through its Service, by DNS name,
# and shows what it answered.
request="GET /cgi-bin/data HTTP/1.0\r\nHost: $BACKEND_HOST\r\n\r\n"
answer=$(printf "$request" | nc -w 5 "$BACKEND_HOST" "$BACKEND_PORT" | sed '1,/^\r*$/d')
printf 'Content-Type: text/plain\r\n\r\n'
if [ -z "$answer" ]; then
  echo "frontend: no answer from the backend at $BACKEND_HOST:$BACKEND_PORT"
else
  echo "frontend: the backend says $answer"
fi
