# Sourced by bench/perf: runs a bench main class with the JVM flags Spark 4 needs on Java 17.
BENCH_JAR="$(ls "$ROOT"/bench/target/bench-*.jar 2>/dev/null | head -n 1 || true)"
if [[ -z "$BENCH_JAR" || ! -d "$ROOT/bench/target/jars" ]]; then
  echo "bench/perf: not built; run: mvn -B -o -q -pl bench -am package -DskipTests" >&2
  exit 2
fi
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
JFLAGS=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED
  "-Dlog4j.configurationFile=file:$ROOT/conf/log4j2.properties")
bench_java() {
  local cls="$1"; shift
  java -Xmx"${BENCH_HEAP:-6g}" ${BENCH_JAVA_EXTRA:-} "${JFLAGS[@]}" -cp "$ROOT/bench/target/jars/*:$BENCH_JAR" "org.idl.bench.perf.$cls" "$@"
}
