// The built-in catalog of well-known software: "<field> <glob> [<field> <glob>] <tier>" per entry,
// field one of exe (process.executable.name), cmd (process.command_line), owner (process.owner);
// every glob of an entry must match. JVM services are recognised by their main class on a `java`
// command line, which also keeps them out of the rule scan of every other process. It is matched
// after the user's rules, so a user rule always wins; `catalog: false` turns it off.
// Linux keeps 15 bytes of a process name (comm): where a long name can reach us cut, the cut form
// is listed too (clickhouse-serv, systemd-journal, kube-controller).
export const CATALOG: string[] = [
  // Databases, caches, queues and coordination: losing them is an outage.
  "exe postgres critical", "exe postgres:* critical", "exe postmaster critical",
  "exe mysqld critical", "exe mariadbd critical", "exe mongod critical", "exe mongos critical",
  "exe redis-server critical", "exe redis-sentinel critical", "exe valkey-server critical",
  "exe keydb-server critical", "exe memcached critical", "exe etcd critical",
  "exe clickhouse-server critical", "exe clickhouse-serv critical", "exe clickhouse critical", "exe influxd critical",
  "exe cockroach critical", "exe couchdb critical", "exe neo4j critical", "exe oracle* critical",
  "exe sqlservr critical", "exe rabbitmq-server critical", "exe nats-server critical",
  "exe consul critical", "exe vault critical",
  "exe java cmd *org.apache.cassandra* critical", "exe java cmd *org.elasticsearch* critical",
  "exe java cmd *org.opensearch* critical", "exe java cmd *kafka.Kafka* critical",
  "exe java cmd *org.apache.zookeeper* critical", "exe beam.smp cmd *rabbit* critical",
  // Web servers, proxies, load balancers, node agents and runtimes of the node itself.
  "exe nginx important", "exe httpd important", "exe apache2 important", "exe haproxy important",
  "exe envoy important", "exe traefik important", "exe caddy important", "exe squid important",
  "exe varnishd important", "exe kubelet important", "exe kube-proxy important",
  "exe containerd important", "exe dockerd important",
  "exe crio important", "exe conmon important", "exe otelcol* important",
  "exe nrdot-collector important", "exe sshd important", "exe systemd important",
  "exe systemd-journald important", "exe systemd-journal important", "exe chronyd important", "exe coredns important",
  "exe kube-apiserver important", "exe kube-scheduler important",
  "exe kube-controller-manager important", "exe kube-controller important",
  // Language runtimes and application workers: standard unless a rule says more.
  "exe java standard", "exe node standard", "exe python* standard", "exe ruby standard",
  "exe php-fpm* standard", "exe php standard", "exe dotnet standard", "exe gunicorn standard",
  "exe uwsgi standard", "exe puma standard", "exe sidekiq standard", "exe celery standard",
  "exe beam.smp standard", "exe perl standard", "exe go standard",
  // One shim per container: many and small; the containers they run are classified on their own.
  "exe containerd-shim* standard",
  // Kernel threads: many, tiny, never worth a series of their own.
  "exe kworker/* sampled", "exe ksoftirqd/* sampled", "exe migration/* sampled",
  "exe rcu_* sampled", "exe kthreadd sampled", "exe cpuhp/* sampled", "exe idle_inject/* sampled",
  "exe watchdog/* sampled", "exe irq/* sampled", "exe kswapd* sampled", "exe jbd2/* sampled",
];
