"""Words the bridge drops: function words, chat filler, and the words of its own templates.

Three strengths, so that stop words never cost a concept:

* ``TEMPLATE`` — words of the bridge's own sentences (``speak``). They are dropped even if
  the lexicon ever lists them, because a spoken sentence must read back as its scene.
* ``SURFACE`` — function words and filler, matched as written. A word that the lexicon lists
  (English "one", "now", "all", "no"; Russian «да», «нет», «всё», «сейчас») is *not* dropped:
  the lexicon wins.
* ``LEMMAS`` — verbs and nouns of asking and telling («скажи», "tell", "happen"), dropped only
  when no lexicon word was found among the word's lemmas.

``PHRASES`` are multi-word fillers ("which one", «всё равно») read before single words, so
"which one" does not hear the concept *one*.
"""

from __future__ import annotations

from core.types import Language

TEMPLATE: dict[Language, frozenset[str]] = {
    "en": frozenset("the a an and is are passes pass through into".split()),
    "ru": frozenset("и через проходит проходят".split()),
}

SURFACE: dict[Language, frozenset[str]] = {
    "en": frozenset(
        """
        a an the and or but nor so yet if then than else as of at by for from in into onto on
        off out over under up down to with without within about above below between among
        through across against along around before behind beyond during except inside near
        outside since toward towards upon via per like unlike

        i me my mine myself you your yours yourself yourselves he him his himself she her hers
        herself it its itself we us our ours ourselves they them their theirs themselves
        this that these those there here who whom whose which what whatever whichever whoever
        when where why how whether

        am is are was were be been being do does did doing done have has had having
        will would shall should can could may might must ought won't wouldn't can't cannot
        couldn't shouldn't don't doesn't didn't isn't aren't wasn't weren't haven't hasn't
        hadn't mustn't i'm you're he's she's it's we're they're i've you've we've they've
        i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll that's
        there's what's who's where's how's when's why's let's here's

        not also too very just really quite rather only even still already ever again
        maybe perhaps please pls plz thanks thank thx ok okay hey hi hello hmm hm oh ah um
        uh well yeah yep nope wow lol so such some any each every either neither both
        other another same own more most much less least few lot lots kind sort

        tell say said says telling saying know knows knew think thinks thought wonder
        wondering ask asking asked answer me mean means meant happen happens happened
        happening get gets got getting give gives gave let show shows showed want wants
        wanted need needs would've could've should've get thing things something anything
        someone anyone somebody anybody everybody everyone stuff
        dear o oh thee thou thy
        """.split()
    ),
    "ru": frozenset(
        """
        а и но или либо же ли бы б ль то ни не нe ведь вот вон ну уж уже ещё еще лишь
        только даже тоже также разве неужели именно просто очень совсем почти как так таки
        в во на с со к ко по о об обо от ото до из изо за у при про для без над под пред
        перед через между сквозь среди около возле вокруг после кроме вместо ради из-за
        из-под вдоль вне внутри

        я меня мне мной мною ты тебя тебе тобой тобою он его него ему нему им ним нём нем
        она её ее неё нее ей ней ею нею оно мы нас нам нами вы вас вам вами они их них ими
        ними себя себе собой собою мой моя моё мое мои моего моей моих моим моими моему
        твой твоя твоё твое твои твоего твоей твоих наш наша наше наши нашего ваш ваша ваше
        ваши свой своя своё свое свои своего своей своих

        что чего чему чем чём кто кого кому кем ком какой какая какое какие какого каком
        какую каким какими который которая которое которые которого где куда откуда когда
        зачем почему отчего сколько чей чья чьё чье чьи ли

        это этот эта эти этого этой этих этим этому тот та те того той тех тем таком такой
        такая такое такие так там тут здесь туда сюда

        быть был была было были будь будет будут буду будем будешь будете есть является
        являются являлся

        если чтобы чтоб потому поэтому ибо хотя пусть пускай раз

        скажи скажите расскажи расскажите подскажи подскажите объясни объясните покажи
        пожалуйста плиз спасибо привет здравствуй здравствуйте ой ах эй хм ого ага угу
        ладно окей ок давай давайте интересно можно нужно надо хочу хочешь хотел хотела
        знаешь знать думаешь думаю кажется значит вообще
        о-о боже
        """.split()
    ),
}

LEMMAS: dict[Language, frozenset[str]] = {
    "en": frozenset(
        """
        be have do tell say know think wonder ask mean happen get give let show want need
        please thank wish guess suppose seem come go
        """.split()
    ),
    "ru": frozenset(
        """
        быть являться сказать говорить рассказать рассказывать объяснить объяснять знать
        думать хотеть мочь спросить спрашивать ответить отвечать подсказать показать
        получиться получаться выйти выходить случиться случаться происходить произойти
        значить казаться интересовать давать дать который какой такой этот тот весь
        понимать понять
        """.split()
    ),
}

PHRASES: dict[Language, tuple[tuple[str, ...], ...]] = {
    "en": tuple(
        tuple(p.split())
        for p in (
            "which one",
            "this one",
            "that one",
            "the one",
            "no one",
            "each one",
            "every one",
            "any one",
            "some one",
            "one of",
            "in order to",
            "at all",
            "after all",
            "all right",
            "never mind",
            "no matter",
            "of course",
            "oh my god",
            "my god",
            "dear god",
            "thank god",
            "tell me",
            "see you",
            "see ya",
            "you know",
            "i know",
            "do you know",
            "i don't know",
            "i think",
            "i guess",
            "i wonder",
            "let me know",
            "i see",
            "and so on",
        )
    ),
    "ru": tuple(
        tuple(p.split())
        for p in (
            "всё равно",
            "все равно",
            "всё-таки",
            "все-таки",
            "в общем",
            "вообще-то",
            "так что",
            "то есть",
            "о боже",
            "боже мой",
            "ради бога",
            "слава богу",
            "ни за что",
            "на самом деле",
            "как будто",
            "потому что",
            "до сих пор",
            "в том числе",
            "и так далее",
            "знаешь ли",
            "я думаю",
            "как думаешь",
            "как ты думаешь",
            "я знаю",
            "не знаю",
            "видишь ли",
        )
    ),
}
