import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A vendor's system driving one project through {@code shenpi serve}:
 *
 * <pre>
 * javac -d out examples/java/*.java
 * java -cp out Example http://127.0.0.1:8080 flows/zhejiang-industrial.yaml [TOKEN]
 * </pre>
 *
 * It starts a project, records the filing's acceptance and approval with
 * idempotency keys, loses answers on purpose (a client timeout shorter than
 * the request takes) and sends the request again until one arrives, then
 * reads the project's status and log: every event is there once. Last, what
 * a supervision office reads: the board, the accountability list and the
 * month's statistics.
 */
public final class Example {
    private Example() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java Example BASE_URL FLOW.yaml [TOKEN]");
            System.exit(2);
        }
        ShenpiClient client = new ShenpiClient(args[0], args.length > 2 ? args[2] : null);
        String flow = new String(Files.readAllBytes(Path.of(args[1])), StandardCharsets.UTF_8);
        String id = "330482-JAVA-" + System.currentTimeMillis();

        Object project = client.startProject(id, flow, "2025-03-03", "330482");
        System.out.println("started " + Json.get(project, "id") + " of flow " + Json.get(project, "flow"));

        String accepted = ShenpiClient.newKey();
        ShenpiClient.Event a = client.recordEvent(id, "filing", "accepted", "2025-03-03", accepted,
                Duration.ofSeconds(10), 3);
        System.out.println("recorded event " + a.seq + ": " + a.step + " " + a.kind);

        // The answers to this one get lost: the client gives up after 1 ms,
        // while the service may well have recorded it. Each retry carries the
        // same key, and the timeout grows until an answer arrives.
        String approved = ShenpiClient.newKey();
        ShenpiClient.Event b = null;
        for (long ms = 1; b == null; ms *= 4) {
            try {
                b = client.recordEvent(id, "filing", "approved", "2025-03-04", approved, Duration.ofMillis(ms), 2);
            } catch (java.net.http.HttpTimeoutException e) {
                System.out.println("  still no answer within " + ms + " ms; waiting longer");
            }
        }
        System.out.println("recorded event " + b.seq + ": " + b.step + " " + b.kind);

        // A retry long after (say, after the vendor's own restart) is answered the same way.
        ShenpiClient.Event again = client.recordEvent(id, "filing", "approved", "2025-03-04", approved,
                Duration.ofSeconds(10), 3);
        if (again.seq != b.seq || !again.replayed) {
            throw new AssertionError("a retry must return the recorded event, got " + again.seq);
        }
        System.out.println("retry returned event " + again.seq + " again, recorded once");

        try {
            client.recordEvent(id, "filing", "rejected", "2025-03-04", approved, Duration.ofSeconds(10), 1);
            throw new AssertionError("a key reused for another event must be refused");
        } catch (ShenpiClient.ShenpiException e) {
            System.out.println("the same key for another event: " + e.status + " " + e.code);
        }

        Object status = client.status(id, "2025-03-10");
        System.out.println("status on 2025-03-10: " + ShenpiClient.states(status).split(" ")[0] + " ...");
        List<?> events = (List<?>) Json.get(client.events(id), "events");
        if (events.size() != 2) {
            throw new AssertionError("the log must hold 2 events, holds " + events.size());
        }
        System.out.println("the log holds " + events.size() + " events: nothing lost, nothing twice");

        // What the supervision office reads: the board of the filing's department (the development and
        // reform bureau), the accountability list, the month's statistics by department.
        String dept = "\u53d1\u6539\u5c40";
        List<?> board = (List<?>) Json.get(client.board("2025-03-10", dept), "rows");
        System.out.println("board of the filing's department on 2025-03-10: " + board.size() + " open step(s)");
        List<?> late = (List<?>) Json.get(client.accountability("2025-03-10", null), "rows");
        System.out.println("accountability list on 2025-03-10: " + late.size() + " notice(s)");
        List<?> rows = (List<?>) Json.get(client.report("2025-03-01", "2025-03-31", "dept"), "rows");
        for (Object row : rows) {
            if (dept.equals(Json.get(row, "key"))) {
                // The filing is done on the spot (promised 0 days): approved the next day, it is late.
                long decided = ((Number) Json.get(row, "decided")).longValue();
                long onTime = ((Number) Json.get(row, "on_time")).longValue();
                System.out.println("report of 2025-03, the filing's department: decided " + decided
                        + ", on time " + onTime);
            }
        }
    }
}
