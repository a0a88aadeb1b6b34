package dev.quiesce.pipeline;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightTurnsTest {

    private final InFlightTurns turns = new InFlightTurns();

    private static TurnInfo turn(String id, String session, long version) {
        return new TurnInfo(id, session, "c", Instant.EPOCH, false, version);
    }

    private void admit(TurnInfo turn, TurnControl control) {
        InFlightTurns.Slot slot = turns.claim(turn.sessionId());
        assertThat(slot).as("slot of " + turn.sessionId()).isNotNull();
        turns.fill(slot, new InFlightTurns.Running(turn, control));
    }

    @Test
    void turnsAreListedOldestFirstWithTheirControls() {
        TurnControl control = hint -> true;
        admit(turn("t-2", "b", 7), TurnControl.NONE);
        admit(turn("t-1", "a", 3), control);

        assertThat(turns.turns()).extracting(TurnInfo::turnId).containsExactly("t-1", "t-2");
        assertThat(turns.running().get(0).control()).isSameAs(control);
    }

    @Test
    void onlyTheRegisteredTurnOfASessionIsRemovedAndOnlyOnce() {
        TurnInfo first = turn("t-1", "a", 1);
        admit(first, TurnControl.NONE);

        assertThat(turns.remove(turn("t-9", "a", 2))).as("another turn of the session").isFalse();
        assertThat(turns.remove(first)).isTrue();
        assertThat(turns.remove(first)).isFalse();
        assertThat(turns.turns()).isEmpty();
    }

    @Test
    void aSessionWithAClaimedSlotIsBusyUntilTheSlotIsGivenBackOrItsTurnRemoved() {
        InFlightTurns.Slot claimed = turns.claim("a");
        assertThat(turns.claim("a")).as("while the gate decides").isNull();
        assertThat(turns.turns()).as("an undecided slot is no running turn").isEmpty();

        turns.giveBack(claimed);
        assertThat(turns.claim("a")).isNotNull();
        assertThat(turns.claim("a")).isNull();
    }

    @Test
    void anUndecidedSlotIsNotRemovedByAReleaseOfTheSessionsEarlierTurn() {
        TurnInfo earlier = turn("t-1", "a", 1);
        admit(earlier, TurnControl.NONE);
        assertThat(turns.remove(earlier)).isTrue();
        InFlightTurns.Slot next = turns.claim("a");

        assertThat(turns.remove(earlier)).isFalse();
        turns.fill(next, new InFlightTurns.Running(turn("t-2", "a", 2), TurnControl.NONE));
        assertThat(turns.turns()).extracting(TurnInfo::turnId).containsExactly("t-2");
    }

    @Test
    void awaitDecidedReturnsOnlyOnceEveryClaimedSlotIsFilledOrGivenBack() throws Exception {
        InFlightTurns.Slot pending = turns.claim("a");
        AtomicBoolean returned = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            turns.awaitDecided();
            returned.set(true);
        });
        waiter.start();
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        waiter.join(200); // bounded: it must still be waiting afterwards
        assertThat(returned).as("returned while a slot was undecided").isFalse();

        turns.fill(pending, new InFlightTurns.Running(turn("t-1", "a", 1), TurnControl.NONE));
        waiter.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(returned).isTrue();
    }
}
