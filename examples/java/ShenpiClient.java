import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A client of {@code shenpi serve} on the JDK's own {@code java.net.http}:
 * start a project, record events with idempotency keys (so that sending a
 * request again after a timeout is safe), read status, and read what a
 * supervision office reads: the board, the accountability list, the statistics. Errors come back as
 * {@code application/problem+json}; {@link ShenpiException#code} is their
 * stable code.
 */
public final class ShenpiClient {
    private final HttpClient http;
    private final String base;
    private final String token;

    /** A client of the service at {@code base} (e.g. {@code http://127.0.0.1:8080}); {@code token} may be null. */
    public ShenpiClient(String base, String token) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    /** What the service refused, with its stable code. */
    public static final class ShenpiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final String code;

        ShenpiException(int status, String code, String detail) {
            super(status + " " + code + ": " + detail);
            this.status = status;
            this.code = code;
        }
    }

    /** One event as the project's log holds it. */
    public static final class Event {
        public final long seq;
        public final String step;
        public final String kind;
        public final String date;
        /** True when the service had recorded it before this request (a retry). */
        public final boolean replayed;

        Event(Object json, boolean replayed) {
            this.seq = ((Double) Json.get(json, "seq")).longValue();
            this.step = (String) Json.get(json, "step");
            this.kind = (String) Json.get(json, "kind");
            this.date = (String) Json.get(json, "date");
            this.replayed = replayed;
        }
    }

    /** Starts a project of the flow whose YAML text is {@code flow}, in {@code region}. */
    public Object startProject(String id, String flow, String start, String region)
            throws IOException, InterruptedException {
        String body = "{\"id\":" + Json.quote(id) + ",\"flow\":" + Json.quote(flow)
                + ",\"start\":" + Json.quote(start) + ",\"region\":" + Json.quote(region) + "}";
        return send(post("/v1/projects", body, Duration.ofSeconds(30)).build()).json;
    }

    /** A fresh idempotency key: make one per event, and keep it for that event's retries. */
    public static String newKey() {
        return UUID.randomUUID().toString();
    }

    /**
     * Records an event once. The request carries {@code key}; when no answer
     * arrives within {@code timeout}, or the service answers 503 (it gave up,
     * or its database is away: the outcome is unknown), the same request is
     * sent again, up to {@code attempts} times in all. The service records it
     * once and answers every retry with the first answer.
     */
    public Event recordEvent(String project, String step, String kind, String date, String key,
                             Duration timeout, int attempts) throws IOException, InterruptedException {
        String body = "{\"step\":" + Json.quote(step) + ",\"kind\":" + Json.quote(kind)
                + ",\"date\":" + Json.quote(date) + "}";
        HttpRequest request = post("/v1/projects/" + project + "/events", body, timeout)
                .header("Idempotency-Key", key)
                .build();
        for (int attempt = 1; ; attempt++) {
            try {
                Answer a = send(request);
                boolean replayed = a.response.headers().firstValue("Idempotent-Replayed").isPresent();
                return new Event(a.json, replayed);
            } catch (HttpTimeoutException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                if (attempt == 1) {
                    System.out.println("  no answer within " + timeout.toMillis() + " ms; sending again with key " + key);
                }
            } catch (ShenpiException e) {
                if (e.status != 503 || attempt >= attempts) {
                    throw e;
                }
                System.out.println("  " + e.code + "; sending again with key " + key);
            }
        }
    }

    /** Status of a project on {@code date}: both clocks of every step. */
    public Object status(String project, String date) throws IOException, InterruptedException {
        return send(get("/v1/projects/" + project + "/status?date=" + date).build()).json;
    }

    /** A project's whole log. */
    public Object events(String project) throws IOException, InterruptedException {
        return send(get("/v1/projects/" + project + "/events").build()).json;
    }

    /**
     * The supervision board on {@code date}: every open step due, overdue or flagged, within the
     * token's regions; of one department, or of all with {@code dept} null.
     */
    public Object board(String date, String dept) throws IOException, InterruptedException {
        return send(get("/v1/board?date=" + date + deptQuery(dept)).build()).json;
    }

    /**
     * The accountability list on {@code date}: supervision notices unanswered past their days to answer; of one
     * department, or of all with {@code dept} null.
     */
    public Object accountability(String date, String dept) throws IOException, InterruptedException {
        return send(get("/v1/accountability?date=" + date + deptQuery(dept)).build()).json;
    }

    /**
     * Efficiency statistics from {@code from} to {@code to} (YYYY-MM-DD), one row per {@code by}:
     * {@code dept}, {@code window}, {@code agent}, {@code flow} or {@code month}.
     */
    public Object report(String from, String to, String by) throws IOException, InterruptedException {
        return send(get("/v1/report?from=" + from + "&to=" + to + "&by=" + by).build()).json;
    }

    private static String deptQuery(String dept) {
        return dept == null ? "" : "&dept=" + URLEncoder.encode(dept, StandardCharsets.UTF_8);
    }

    /** The states of a status document's steps, as {@code id=state} pairs. */
    @SuppressWarnings("unchecked")
    public static String states(Object status) {
        StringBuilder out = new StringBuilder();
        for (Object step : (List<Object>) Json.get(status, "steps")) {
            Map<String, Object> s = (Map<String, Object>) step;
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(s.get("id")).append('=').append(s.get("state"));
        }
        return out.toString();
    }

    private HttpRequest.Builder post(String path, String json, Duration timeout) {
        return authorised(HttpRequest.newBuilder(URI.create(base + path)))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpRequest.Builder get(String path) {
        return authorised(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofSeconds(30)).GET();
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private static final class Answer {
        final HttpResponse<String> response;
        final Object json;

        Answer(HttpResponse<String> response, Object json) {
            this.response = response;
            this.json = json;
        }
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        Object json = Json.parse(response.body());
        if (response.statusCode() >= 400) {
            throw new ShenpiException(response.statusCode(), (String) Json.get(json, "code"),
                    (String) Json.get(json, "detail"));
        }
        return new Answer(response, json);
    }
}
