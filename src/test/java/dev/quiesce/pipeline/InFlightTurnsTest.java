package dev.quiesce.pipeline;

import java.time.Instant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightTurnsTest {

    private final InFlightTurns turns = new InFlightTurns();

    private static TurnInfo turn(String id, String session) {
        return new TurnInfo(id, session, "c", Instant.EPOCH, false, 1);
    }

    @Test
    void turnsAreListedOldestFirstWithTheirControls() {
        TurnControl control = hint -> true;
        turns.add(turn("t-1", "a"), control);
        turns.add(turn("t-2", "b"), TurnControl.NONE);

        assertThat(turns.turns()).extracting(TurnInfo::turnId).containsExactly("t-1", "t-2");
        assertThat(turns.running().get(0).control()).isSameAs(control);
        assertThat(turns.isBusy("a")).isTrue();
        assertThat(turns.isBusy("c")).isFalse();
    }

    @Test
    void onlyTheRegisteredTurnOfASessionIsRemovedAndOnlyOnce() {
        TurnInfo first = turn("t-1", "a");
        turns.add(first, TurnControl.NONE);

        assertThat(turns.remove(turn("t-9", "a"))).as("another turn of the session").isFalse();
        assertThat(turns.remove(first)).isTrue();
        assertThat(turns.remove(first)).isFalse();
        assertThat(turns.isEmpty()).isTrue();
    }

    @Test
    void aSecondTurnForABusySessionIsNeverRegistered() {
        turns.add(turn("t-1", "a"), TurnControl.NONE);

        assertThatThrownBy(() -> turns.add(turn("t-2", "a"), TurnControl.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("t-1");
        assertThat(turns.turns()).extracting(TurnInfo::turnId).containsExactly("t-1");
    }
}
