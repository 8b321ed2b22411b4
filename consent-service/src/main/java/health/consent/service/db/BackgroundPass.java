package health.consent.service.db;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * Work that one thread of this instance runs again and again: every tick, and soon after a write
 * asks for it ({@link #wake()}). Once woken it waits a little more, the whole of that time
 * whatever else wakes it meanwhile (short of {@link #stop()}), so that writes arriving together are
 * handled by one pass. A failing pass (the database unreachable, usually) is said
 * once in the log, then retried quietly at every tick.
 */
public final class BackgroundPass {

    private final String name;
    private final long tickMillis;
    private final long coalesceMillis;
    private final Runnable pass;
    private final Logger log;
    private final Object signal = new Object();
    private volatile boolean running;
    private boolean pending;
    private Thread thread;

    public BackgroundPass(String name, Duration tick, Duration coalesce, Runnable pass, Logger log) {
        this.name = name;
        this.tickMillis = Math.max(1, tick.toMillis());
        this.coalesceMillis = coalesce.toMillis();
        this.pass = pass;
        this.log = log;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            synchronized (signal) {
                signal.notifyAll();
            }
            thread.join(5_000);
        }
    }

    /** Asks for a pass soon, rather than at the next tick. */
    public void wake() {
        synchronized (signal) {
            pending = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        boolean failing = false;
        while (running) {
            try {
                synchronized (signal) {
                    if (!pending && running) {
                        signal.wait(tickMillis);
                    }
                    if (pending && running && coalesceMillis > 0) {
                        // Wait the whole time: the wakes of the writes arriving meanwhile join this pass.
                        long end = System.nanoTime() + coalesceMillis * 1_000_000L;
                        for (long left = coalesceMillis; left > 0 && running;
                             left = (end - System.nanoTime() + 999_999L) / 1_000_000L) {
                            signal.wait(left);
                        }
                    }
                    pending = false;
                }
                if (!running) {
                    return;
                }
                pass.run();
                failing = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    log.warn("{} failed, retrying at every tick: {}", name, e.toString());
                    failing = true;
                }
            }
        }
    }
}
