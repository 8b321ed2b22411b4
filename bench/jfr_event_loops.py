#!/usr/bin/env python3
"""Where the service's event loops spend a request, from a JFR recording's CPU samples.

    jfr print --stack-depth 80 --events jdk.ExecutionSample changes.jfr > samples.txt
    python3 bench/jfr_event_loops.py samples.txt

(bench/change-statements.sh with PROBE_JFR=1 records changes.jfr.) Prints the samples by thread,
then each event-loop sample classed by the innermost frame that tells its part (JSON, the service's
own code, the HTTP codec, socket I/O, the framework), then the framework's share by the innermost
framework method."""
import collections
import re
import sys

PARTS = [('json', 'com.fasterxml.jackson'), ('json', 'io.micronaut.serde'), ('json', 'io.micronaut.json'),
         ('service', 'health.consent'),
         ('http codec', 'HttpObjectDecoder'), ('http codec', 'HttpObjectEncoder'), ('http codec', 'HttpServerCodec'),
         ('socket i/o', 'io.netty.channel.epoll'), ('socket i/o', 'io.netty.channel.nio'),
         ('socket i/o', 'AbstractChannel$AbstractUnsafe'), ('socket i/o', 'sun.nio.ch'),
         ('framework', 'io.micronaut'), ('framework', 'reactor.'), ('framework', 'org.reactivestreams')]


def frames(event):
    return [line.strip().split('(')[0] for line in event.split('\n') if 'line:' in line]


def part(stack):
    for frame in stack:
        for name, pattern in PARTS:
            if pattern in frame:
                return name, frame
    return 'other', stack[0] if stack else ''


events = open(sys.argv[1]).read().split('jdk.ExecutionSample')[1:]
threads, parts, framework = collections.Counter(), collections.Counter(), collections.Counter()
loop = 0
for event in events:
    match = re.search(r'sampledThread = "([^"]*)"', event)
    thread = re.sub(r'\d+', 'N', match.group(1) if match else '?')
    threads[thread] += 1
    if 'eventLoop' not in thread:
        continue
    loop += 1
    name, frame = part(frames(event))
    parts[name] += 1
    if name == 'framework':
        framework[frame] += 1
print(f'samples: {len(events)}')
for thread, n in threads.most_common(8):
    print(f'{100 * n / len(events):5.1f}%  thread {thread}')
print(f'event-loop samples: {loop}')
for name, n in parts.most_common():
    print(f'{100 * n / loop:5.1f}%  {name}')
print('the framework, by innermost method (samples):')
for frame, n in framework.most_common(15):
    print(f'{n:5d}  {frame}')
