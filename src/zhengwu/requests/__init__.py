"""Public requests under listed supervision (群众诉求 · 挂牌督办): intake, the hotline workflow, reporters protected."""
