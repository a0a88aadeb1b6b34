package dev.quiesce.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.ClientProxy;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Ingress to turns: validates a message, asks the {@link AcceptGate} (which checks the phase and
 * registers the turn in one atomic step), runs the turn handler, and releases the turn's in-flight
 * slot exactly once however the turn ends — reply, handler failure, interrupt, or the caller going
 * away ({@link RunningTurn}).
 *
 * <p>The gate's {@link InFlightTurns} is the one registry of running turns; {@link #interruptAll}
 * (the shutdown's) ends each through its {@link TurnControl} with INTERRUPTED and the resume hint,
 * cancelling the handler's work. Thread-safe.
 */
@Singleton
public class MessagePipeline {

    /** What a user is told when a drain refuses their message. */
    public static final String DRAINING_REPLY =
            "This assistant is briefly paused for maintenance and did not start on your message. "
                    + "Please send it again in a minute.";
    /** What a user is told when a shutdown refuses their message. */
    public static final String STOPPING_REPLY =
            "This assistant is restarting and did not start on your message. Please send it again in a minute.";
    /** What a user is told when a drain keeps their message for later. */
    public static final String DEFERRED_DRAINING_REPLY = "This assistant is briefly paused for maintenance. "
            + "Your message is saved and will be answered as soon as it is back.";
    /** What a user is told when a shutdown keeps their message for later. */
    public static final String DEFERRED_STOPPING_REPLY =
            "This assistant is restarting. Your message is saved and will be answered as soon as it is back.";
    /** What a user is told when their message waits behind saved ones that are still being answered. */
    public static final String DEFERRED_BEHIND_REPLY =
            "Your earlier messages are still being answered. This one is saved and will be answered after them.";
    /** What a user is told when their previous message is still being answered. */
    public static final String BUSY_REPLY =
            "I'm still working on your previous message. Please wait for that answer before sending another.";

    private final AcceptGate gate;
    private final TurnHandler handler;
    private final TurnCounts counts;
    private final Deferral deferral;
    private final PauseNotices notices = new PauseNotices();
    /**
     * The "saved, answered after your earlier ones" notice to a message queued behind a backlog while
     * the gateway runs: once per session after each pause, counted apart from the pause's own notices
     * (which that session has had already, in the pause its backlog comes from).
     */
    private final PauseNotices behindNotices = new PauseNotices();

    /**
     * @param gate unwrapped from its client proxy once, here: every message crosses it twice, and a
     *     call through the proxy looks the bean up in its context again
     */
    @Inject
    public MessagePipeline(AcceptGate gate, TurnHandler handler, Deferral deferral, MeterRegistry registry) {
        this.gate = ClientProxy.unwrap(gate);
        this.handler = handler;
        this.deferral = ClientProxy.unwrap(deferral);
        this.counts = new TurnCounts(registry);
    }

    /** For plain tests: no inbox, every message the gate refuses is refused. */
    public MessagePipeline(AcceptGate gate, TurnHandler handler, MeterRegistry registry) {
        this(gate, handler, Deferral.NONE, registry);
    }

    /**
     * Runs {@code message} as a turn, or refuses it.
     *
     * @return the outcome; a refusal is an item, not a failure. The Uni never fails.
     * @throws InvalidMessageException before anything starts, when the message is not acceptable
     */
    public Uni<TurnOutcome> handle(InboundMessage message) {
        return handle(message, Function.identity());
    }

    /**
     * Like {@link #handle(InboundMessage)}, answering with {@code answer} applied to the outcome: a
     * transport's reply is built where the turn ends, without another operator on the Uni (each
     * costs a context-propagation capture per call).
     */
    public <R> Uni<R> handle(InboundMessage message, Function<TurnOutcome, R> answer) {
        message.validate();
        if (deferral.holdsBacklog(message.sessionId())) {
            return behindBacklog(message, answer);
        }
        Admission admission = gate.tryAdmit(message.sessionId(), message.channel(), message.internal(),
                turn -> new RunningTurn<>(turn, new TurnRequest(turn.turnId(), message.sessionId(), message.channel(),
                        message.text(), message.internal(), message.messageId()), answer, gate, counts));
        if (admission instanceof Admission.Refused refused) {
            if (refused.why() != Admission.Why.BUSY && deferral.accepts(message)) {
                return defer(message, refused, answer);
            }
            return Uni.createFrom().item(answer.apply(counts.count(refusal(refused, message.sessionId()))));
        }
        @SuppressWarnings("unchecked") // made by the factory above, with this call's answer
        RunningTurn<R> running = (RunningTurn<R>) ((Admission.Admitted) admission).control();
        running.run(handler);
        return running.reply();
    }

    /**
     * Runs a saved message as a turn (SPEC §9 replay): through the same gate as a live one, counted in
     * flight; the handler sees its {@code deferredId}. Not queued behind the session's backlog: it is
     * the backlog's head.
     *
     * @param resumed a turn a shutdown cut off, run again after the restart (SPEC §10): the handler is told
     * @return the turn's outcome, or empty when the gate refused it (a new drain, a shutdown, the
     *     session busy): then nothing ran and the entry stays saved
     */
    public Optional<Uni<TurnOutcome>> replay(InboundMessage message, String deferredId, boolean resumed) {
        Admission admission = gate.tryAdmit(message.sessionId(), message.channel(), message.internal(),
                turn -> new RunningTurn<>(turn, new TurnRequest(turn.turnId(), message.sessionId(), message.channel(),
                        message.text(), message.internal(), message.messageId(), deferredId, resumed),
                        Function.<TurnOutcome>identity(), gate, counts));
        if (admission instanceof Admission.Refused) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked") // made by the factory above
        RunningTurn<TurnOutcome> running = (RunningTurn<TurnOutcome>) ((Admission.Admitted) admission).control();
        running.run(handler);
        return Optional.of(running.reply());
    }

    /**
     * Interrupts every running turn: each caller receives INTERRUPTED with {@code hint} and the
     * handler's work is cancelled.
     *
     * @return the turns that were interrupted
     */
    public List<TurnInfo> interruptAll(String hint) {
        return interruptAll(turn -> hint);
    }

    /**
     * Like {@link #interruptAll(String)}, each caller answered with {@code hintFor} its turn (a turn the
     * inbox will resume by itself is told so).
     */
    public List<TurnInfo> interruptAll(Function<TurnInfo, String> hintFor) {
        List<TurnInfo> interrupted = new ArrayList<>();
        for (InFlightTurns.Running running : gate.running()) {
            if (running.control().interrupt(hintFor.apply(running.turn()))) {
                interrupted.add(running.turn());
            }
        }
        return interrupted;
    }

    /** Turns running now. */
    public int runningCount() {
        return gate.running().size();
    }

    /** The turns running now, each with its control (its request, its end), oldest first. */
    public List<InFlightTurns.Running> running() {
        return gate.running();
    }

    /**
     * A message of a session whose saved messages are not all answered yet goes behind them, never past
     * them (SPEC §9 Order) — while paused, and while running too. It is saved (DEFERRED) when it may be;
     * otherwise (no channel, REFUSE asked for, the inbox unavailable) it is refused as the gate refuses it
     * now or, while the gate would admit it, as BUSY: the session's earlier messages are its running work.
     */
    private <R> Uni<R> behindBacklog(InboundMessage message, Function<TurnOutcome, R> answer) {
        Admission.Refused paused = gate.pausedFor(message.internal());
        Admission.Refused refused = paused != null ? paused : new Admission.Refused(Admission.Why.BUSY, gate.pause());
        if (!deferral.accepts(message)) {
            return Uni.createFrom().item(answer.apply(counts.count(refusal(refused, message.sessionId()))));
        }
        return defer(message, refused, answer);
    }

    /**
     * Saves {@code message} and answers DEFERRED once it is committed; if it cannot be saved, the
     * refusal it would have had ({@code refused}; BUSY for a message behind a backlog while running).
     */
    private <R> Uni<R> defer(InboundMessage message, Admission.Refused refused, Function<TurnOutcome, R> answer) {
        return deferral.save(message).map(deposit -> answer.apply(counts.count(
                deposit instanceof Deferral.Deposit.Saved saved
                        ? new TurnOutcome(TurnOutcome.Kind.DEFERRED, deferredNotice(refused, message.sessionId()), "",
                                saved.deferredId())
                        : refusal(refused, message.sessionId()))));
    }

    /** A DEFERRED answer's notice: with the session's first answer of the pause (or, running, after it). */
    private String deferredNotice(Admission.Refused refused, String sessionId) {
        return switch (refused.why()) {
            case DRAINING -> notices.first(sessionId, refused.pause()) ? DEFERRED_DRAINING_REPLY : "";
            case STOPPING -> notices.first(sessionId, refused.pause()) ? DEFERRED_STOPPING_REPLY : "";
            case BUSY -> behindNotices.first(sessionId, refused.pause()) ? DEFERRED_BEHIND_REPLY : "";
        };
    }

    /** The refusal's outcome; a pause's text only with the session's first answer of that pause. */
    private TurnOutcome refusal(Admission.Refused refused, String sessionId) {
        return switch (refused.why()) {
            case DRAINING -> new TurnOutcome(TurnOutcome.Kind.REFUSED_DRAINING,
                    notices.first(sessionId, refused.pause()) ? DRAINING_REPLY : "", "");
            case STOPPING -> new TurnOutcome(TurnOutcome.Kind.REFUSED_STOPPING,
                    notices.first(sessionId, refused.pause()) ? STOPPING_REPLY : "", "");
            case BUSY -> new TurnOutcome(TurnOutcome.Kind.REFUSED_BUSY, BUSY_REPLY, "");
        };
    }
}
